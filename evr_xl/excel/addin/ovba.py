"""[MS-OVBA] pieces the builder needs: the RLE-LZ77 compression (2.4.1) and the `dir` stream.

The `dir` stream is a flat run of records `Id (u16) | Size (u32) | Data`; every record in it
has that shape except PROJECTVERSION (0x0009), which declares Size 4 but carries 6 bytes
(2.3.4.2.1.11). Parsing into `(id, data)` pairs and writing them back reproduces the stream
byte for byte, so the builder edits records, never offsets.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

_CHUNK = 4096
_SIGNATURE = 0x01

# dir record ids ([MS-OVBA] 2.3.4.2)
PROJECTNAME = 0x0004
PROJECTVERSION = 0x0009
PROJECTMODULES = 0x000F
PROJECTCOOKIE = 0x0013
MODULENAME = 0x0019
MODULESTREAMNAME = 0x001A
MODULEDOCSTRING = 0x001C
MODULEHELPCONTEXT = 0x001E
MODULETYPE_PROCEDURAL = 0x0021
MODULETYPE_DOCUMENT = 0x0022
MODULECOOKIE = 0x002C
MODULETERMINATOR = 0x002B
MODULEOFFSET = 0x0031
MODULESTREAMNAME_UNICODE = 0x0032
MODULENAME_UNICODE = 0x0047
MODULEDOCSTRING_UNICODE = 0x0048
DIR_TERMINATOR = 0x0010


class OvbaError(ValueError):
    """A stream is not valid [MS-OVBA] data."""


# --- compression (2.4.1) ---------------------------------------------------------------------


def _copy_token_bits(decompressed_in_chunk: int) -> int:
    """Bits of a CopyToken used for the offset, given the bytes decompressed so far (2.4.1.3.19.1)."""
    return max((decompressed_in_chunk - 1).bit_length(), 4)


def decompress(data: bytes) -> bytes:
    """Decompress a CompressedContainer."""
    if not data or data[0] != _SIGNATURE:
        raise OvbaError("compressed container does not start with signature byte 0x01")
    out = bytearray()
    pos = 1
    while pos < len(data):
        if pos + 2 > len(data):
            raise OvbaError(f"truncated chunk header at byte {pos}")
        header = struct.unpack_from("<H", data, pos)[0]
        size = (header & 0x0FFF) + 3
        if (header >> 12) & 0x7 != 0b011:
            raise OvbaError(f"bad chunk signature at byte {pos}")
        end = min(pos + size, len(data))
        pos += 2
        chunk_start = len(out)
        if not header & 0x8000:  # raw chunk: 4096 literal bytes
            out += data[pos : pos + _CHUNK]
            pos += _CHUNK
            continue
        while pos < end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= end:
                    break
                if not flags >> bit & 1:
                    out.append(data[pos])
                    pos += 1
                    continue
                if pos + 2 > end:
                    raise OvbaError(f"truncated copy token at byte {pos}")
                token = struct.unpack_from("<H", data, pos)[0]
                pos += 2
                bits = _copy_token_bits(len(out) - chunk_start)
                length = (token & (0xFFFF >> bits)) + 3
                offset = (token >> (16 - bits)) + 1
                src = len(out) - offset
                if src < chunk_start:
                    raise OvbaError(f"copy token reaches before its chunk at byte {pos - 2}")
                for i in range(length):  # may overlap its own output
                    out.append(out[src + i])
    return bytes(out)


def compress(data: bytes) -> bytes:
    """Compress bytes into a CompressedContainer (longest match, nearest on ties, as 2.4.1.3.19.4)."""
    out = bytearray([_SIGNATURE])
    for start in range(0, len(data), _CHUNK):
        out += _compress_chunk(data[start : start + _CHUNK])
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    body = bytearray()
    heads: dict[bytes, list[int]] = {}  # 3-byte prefix -> positions in this chunk, oldest first
    pos = 0
    n = len(chunk)
    while pos < n:
        flag_at = len(body)
        body.append(0)
        flags = 0
        for bit in range(8):
            if pos >= n:
                break
            best_len, best_off = 0, 0
            if pos > 0 and pos + 3 <= n:
                bits = _copy_token_bits(pos)
                max_len = min((0xFFFF >> bits) + 3, n - pos)
                for cand in reversed(heads.get(chunk[pos : pos + 3], ())):
                    length = 3
                    while length < max_len and chunk[cand + length] == chunk[pos + length]:
                        length += 1
                    if length > best_len:
                        best_len, best_off = length, pos - cand
                        if length == max_len:
                            break
            step = best_len if best_len >= 3 else 1
            if best_len >= 3:
                bits = _copy_token_bits(pos)
                token = ((best_off - 1) << (16 - bits)) | (best_len - 3)
                body += struct.pack("<H", token)
                flags |= 1 << bit
            else:
                body.append(chunk[pos])
            for p in range(pos, pos + step):
                if p + 3 <= n:
                    heads.setdefault(chunk[p : p + 3], []).append(p)
            pos += step
        body[flag_at] = flags
    if len(body) > _CHUNK:  # incompressible: a raw chunk holds exactly 4096 bytes
        if len(chunk) < _CHUNK:
            # The spec pads with NULs, which a reader would take as source text.
            raise OvbaError("the last 4096-byte chunk is incompressible; refusing to pad it")
        return struct.pack("<H", 0x3000 | (_CHUNK - 1)) + chunk
    return struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + bytes(body)


# --- the dir stream (2.3.4.2) ----------------------------------------------------------------

Record = tuple[int, bytes]


def parse_dir(data: bytes) -> list[Record]:
    """Split a decompressed `dir` stream into (id, data) records."""
    records: list[Record] = []
    pos = 0
    while pos < len(data):
        if pos + 6 > len(data):
            raise OvbaError(f"truncated dir record at byte {pos}")
        rid, size = struct.unpack_from("<HI", data, pos)
        if rid == PROJECTVERSION:
            size = 6  # declares 4, carries MajorVersion (4) + MinorVersion (2)
        records.append((rid, bytes(data[pos + 6 : pos + 6 + size])))
        pos += 6 + size
    return records


def write_dir(records: list[Record]) -> bytes:
    """Join (id, data) records into a decompressed `dir` stream."""
    out = bytearray()
    for rid, data in records:
        size = 4 if rid == PROJECTVERSION else len(data)
        out += struct.pack("<HI", rid, size) + data
    return bytes(out)


@dataclass
class ModuleEntry:
    """One module's records in `dir`, from MODULENAME to MODULETERMINATOR."""

    records: list[Record]

    def get(self, rid: int) -> bytes:
        return next(d for r, d in self.records if r == rid)

    def set(self, rid: int, data: bytes) -> None:
        self.records = [(r, data if r == rid else d) for r, d in self.records]

    @property
    def name(self) -> str:
        return self.get(MODULENAME).decode("latin-1")

    @property
    def stream_name(self) -> str:
        return self.get(MODULESTREAMNAME_UNICODE).decode("utf-16-le")

    @property
    def offset(self) -> int:
        return struct.unpack("<I", self.get(MODULEOFFSET))[0]

    @property
    def is_procedural(self) -> bool:
        """A standard module; class, document and designer modules are all type 0x0022."""
        return any(r == MODULETYPE_PROCEDURAL for r, _ in self.records)


def split_modules(records: list[Record]) -> tuple[list[Record], list[ModuleEntry]]:
    """The records before the first module (information, references, PROJECTMODULES) and the modules."""
    first = next(i for i, (r, _) in enumerate(records) if r == MODULENAME)
    head, modules, current = records[:first], [], []
    for rid, data in records[first:]:
        if rid == DIR_TERMINATOR:
            break
        current.append((rid, data))
        if rid == MODULETERMINATOR:
            modules.append(ModuleEntry(current))
            current = []
    return head, modules


def join_modules(head: list[Record], modules: list[ModuleEntry]) -> list[Record]:
    """The inverse of `split_modules`, with the module count set to `len(modules)`."""
    head = [(r, struct.pack("<H", len(modules)) if r == PROJECTMODULES else d) for r, d in head]
    body = [rec for m in modules for rec in m.records]
    return head + body + [(DIR_TERMINATOR, b"")]


def new_procedural_module(name: str, codepage: str) -> ModuleEntry:
    """The `dir` records of a new standard module whose stream holds source only (offset 0)."""
    return ModuleEntry(
        [
            (MODULENAME, name.encode(codepage)),
            (MODULENAME_UNICODE, name.encode("utf-16-le")),
            (MODULESTREAMNAME, name.encode(codepage)),
            (MODULESTREAMNAME_UNICODE, name.encode("utf-16-le")),
            (MODULEDOCSTRING, b""),
            (MODULEDOCSTRING_UNICODE, b""),
            (MODULEOFFSET, struct.pack("<I", 0)),
            (MODULEHELPCONTEXT, struct.pack("<I", 0)),
            (MODULECOOKIE, struct.pack("<H", 0xFFFF)),  # 2.3.4.2.3.2.7: 0xFFFF on write
            (MODULETYPE_PROCEDURAL, b""),
            (MODULETERMINATOR, b""),
        ]
    )
