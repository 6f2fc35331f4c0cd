"""A small [MS-CFB] compound file reader and writer (version 3, 512-byte sectors).

Enough for `vbaProject.bin`: `read_streams` returns every stream by path, `write_streams`
rebuilds a whole file from paths and bytes. The writer is deterministic: zero timestamps and
class ids, sectors laid out as FAT, directory, mini FAT, mini stream, then the large streams in
directory order; streams under 4096 bytes live in the mini stream. Each storage's children form
a balanced binary tree in CFB order (shorter name first, then upper-case comparison) coloured so
that it is a valid red-black tree, as strict readers expect.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREESECT, ENDOFCHAIN, FATSECT, DIFSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC
NOSTREAM = 0xFFFFFFFF
_STORAGE, _STREAM, _ROOT = 1, 2, 5
_RED, _BLACK = 0, 1
_HEADER_DIFAT = 109
_PER_SECTOR = SECTOR // 4

Path = tuple[str, ...]


class CfbError(ValueError):
    """The bytes are not a compound file this module can read."""


# --- reading ---------------------------------------------------------------------------------


def read_streams(data: bytes) -> dict[Path, bytes]:
    """Every stream in a compound file, keyed by its path of names from the root."""
    if data[:8] != SIGNATURE:
        raise CfbError("not a compound file (bad signature)")
    shift, mini_shift = struct.unpack_from("<HH", data, 30)
    sector = 1 << shift
    n_fat, first_dir = struct.unpack_from("<II", data, 44)
    first_minifat, _, first_difat, n_difat = struct.unpack_from("<IIII", data, 60)
    cutoff = struct.unpack_from("<I", data, 56)[0]

    def sec(i: int) -> bytes:
        start = (i + 1) * sector
        return data[start : start + sector]

    difat = list(struct.unpack_from(f"<{_HEADER_DIFAT}I", data, 76))
    nxt = first_difat
    for _ in range(n_difat):
        vals = struct.unpack(f"<{sector // 4}I", sec(nxt))
        difat += vals[:-1]
        nxt = vals[-1]
    fat: list[int] = []
    for s in difat[:n_fat]:
        fat += struct.unpack(f"<{sector // 4}I", sec(s))

    def chain(start: int) -> bytes:
        out, seen = bytearray(), set()
        while start not in (ENDOFCHAIN, FREESECT) and start < len(fat):
            if start in seen:
                raise CfbError("sector chain loops")
            seen.add(start)
            out += sec(start)
            start = fat[start]
        return bytes(out)

    dirs = chain(first_dir)
    entries = [dirs[i : i + 128] for i in range(0, len(dirs), 128)]
    minifat_bytes = chain(first_minifat) if first_minifat != ENDOFCHAIN else b""
    minifat = list(struct.unpack(f"<{len(minifat_bytes) // 4}I", minifat_bytes))
    root = entries[0]
    mini_stream = chain(struct.unpack_from("<I", root, 116)[0])
    mini = 1 << mini_shift

    def stream(entry: bytes) -> bytes:
        start, size = struct.unpack_from("<IQ", entry, 116)
        if shift == 9:  # version 3: the high dword may hold garbage
            size &= 0xFFFFFFFF
        if size >= cutoff:
            return chain(start)[:size]
        out, s = bytearray(), start
        while s not in (ENDOFCHAIN, FREESECT) and len(out) < size:
            out += mini_stream[s * mini : (s + 1) * mini]
            s = minifat[s]
        return bytes(out[:size])

    result: dict[Path, bytes] = {}

    def walk(index: int, parent: Path) -> None:
        if index == NOSTREAM:
            return
        e = entries[index]
        name_len = struct.unpack_from("<H", e, 64)[0]
        name = e[: max(name_len - 2, 0)].decode("utf-16-le")
        kind = e[66]
        left, right, child = struct.unpack_from("<III", e, 68)
        walk(left, parent)
        walk(right, parent)
        if kind == _STREAM:
            result[(*parent, name)] = stream(e)
        elif kind == _STORAGE:
            walk(child, (*parent, name))

    walk(struct.unpack_from("<I", root, 76)[0], ())
    return result


# --- writing ---------------------------------------------------------------------------------


@dataclass
class _Node:
    name: str
    kind: int
    data: bytes = b""
    children: list[_Node] = field(default_factory=list)
    index: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = _BLACK
    start: int = ENDOFCHAIN


def _cfb_key(name: str) -> tuple[int, str]:
    return (len(name), name.upper())


def _tree(streams: dict[Path, bytes]) -> list[_Node]:
    """Directory entries in order: the root first, then each storage's children, depth first."""
    root = _Node("Root Entry", _ROOT)
    for path, data in streams.items():
        node = root
        for part in path[:-1]:
            found = next((c for c in node.children if c.name == part), None)
            if found is None:
                found = _Node(part, _STORAGE)
                node.children.append(found)
            node = found
        if any(c.name == path[-1] for c in node.children):
            raise CfbError(f"duplicate entry {'/'.join(path)}")
        node.children.append(_Node(path[-1], _STREAM, data))
    order: list[_Node] = []

    def visit(node: _Node) -> None:
        node.index = len(order)
        order.append(node)
        node.children.sort(key=lambda c: _cfb_key(c.name))
        for c in node.children:
            visit(c)
        node.child = _balance(node.children, 0, len(node.children), 0, _depth(len(node.children)))

    visit(root)
    return order


def _depth(n: int) -> int:
    """Depth of the deepest node when n sorted nodes are split at the middle recursively."""
    return max(n.bit_length() - 1, 0)


def _balance(nodes: list[_Node], lo: int, hi: int, depth: int, deepest: int) -> int:
    """Link nodes[lo:hi] as a balanced tree; nodes on the deepest level are red."""
    if lo >= hi:
        return NOSTREAM
    mid = (lo + hi) // 2
    node = nodes[mid]
    node.left = _balance(nodes, lo, mid, depth + 1, deepest)
    node.right = _balance(nodes, mid + 1, hi, depth + 1, deepest)
    node.color = _RED if depth == deepest and depth > 0 else _BLACK
    return node.index


def _sectors(n_bytes: int, size: int) -> int:
    return -(-n_bytes // size)


def write_streams(streams: dict[Path, bytes]) -> bytes:
    """A complete compound file holding `streams` (paths of names from the root)."""
    for path in streams:
        for part in path:
            if not 0 < len(part) <= 31 or any(ch in part for ch in "/\\:!"):
                raise CfbError(f"invalid entry name {part!r}")
    nodes = _tree(streams)
    small = [n for n in nodes if n.kind == _STREAM and len(n.data) < MINI_CUTOFF]
    large = [n for n in nodes if n.kind == _STREAM and len(n.data) >= MINI_CUTOFF]

    mini_stream, minifat = bytearray(), []
    for n in small:
        if not n.data:
            continue
        n.start = len(mini_stream) // MINI_SECTOR
        count = _sectors(len(n.data), MINI_SECTOR)
        minifat += [n.start + i + 1 for i in range(count - 1)] + [ENDOFCHAIN]
        mini_stream += n.data.ljust(count * MINI_SECTOR, b"\x00")

    n_dir = _sectors(len(nodes) * 128, SECTOR)
    n_minifat = _sectors(len(minifat) * 4, SECTOR)
    n_ministream = _sectors(len(mini_stream), SECTOR)
    n_large = sum(_sectors(len(n.data), SECTOR) for n in large)
    n_fat = 1
    while n_fat * _PER_SECTOR < n_fat + n_dir + n_minifat + n_ministream + n_large:
        n_fat += 1
    if n_fat > _HEADER_DIFAT:
        raise CfbError("file too large for a header-only DIFAT")

    fat: list[int] = [FATSECT] * n_fat
    body = bytearray()

    def place(payload: bytes, count: int) -> int:
        if count == 0:
            return ENDOFCHAIN
        start = len(fat)
        fat.extend([start + i + 1 for i in range(count - 1)] + [ENDOFCHAIN])
        body.extend(payload.ljust(count * SECTOR, b"\x00"))
        return start

    dir_start = len(fat)
    fat.extend([dir_start + i + 1 for i in range(n_dir - 1)] + [ENDOFCHAIN])
    body.extend(b"\x00" * n_dir * SECTOR)  # filled in below, once every start is known
    minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat)
    minifat_bytes += struct.pack("<I", FREESECT) * (n_minifat * _PER_SECTOR - len(minifat))
    minifat_start = place(minifat_bytes, n_minifat)
    nodes[0].start = place(bytes(mini_stream), n_ministream)
    nodes[0].data = bytes(mini_stream)
    for n in large:
        n.start = place(n.data, _sectors(len(n.data), SECTOR))

    directory = b"".join(_entry(n) for n in nodes)
    empty = _entry(_Node("", 0, left=NOSTREAM, right=NOSTREAM, child=NOSTREAM, color=_RED))
    directory += empty * (n_dir * SECTOR // 128 - len(nodes))
    body[0 : n_dir * SECTOR] = directory

    fat += [FREESECT] * (n_fat * _PER_SECTOR - len(fat))
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    difat = list(range(n_fat)) + [FREESECT] * (_HEADER_DIFAT - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        SIGNATURE,
        b"\x00" * 16,
        0x003E,  # minor version
        0x0003,  # major version 3
        0xFFFE,  # little-endian
        9,  # 512-byte sectors
        6,  # 64-byte mini sectors
        b"\x00" * 6,
        0,  # directory sectors (must be 0 in version 3)
        n_fat,
        dir_start,
        0,  # transaction signature
        MINI_CUTOFF,
        minifat_start,
        n_minifat,
        ENDOFCHAIN,  # no DIFAT sectors
        0,
    ) + struct.pack(f"<{_HEADER_DIFAT}I", *difat)
    return header + fat_bytes + bytes(body)


def _entry(n: _Node) -> bytes:
    name = n.name.encode("utf-16-le")
    name_field = (name + b"\x00\x00").ljust(64, b"\x00") if n.name else b"\x00" * 64
    start = n.start if n.kind in (_STREAM, _ROOT) and n.data else ENDOFCHAIN
    if n.kind == 0:
        start = 0
    size = len(n.data) if n.kind in (_STREAM, _ROOT) else 0
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name_field,
        len(name) + 2 if n.name else 0,
        n.kind,
        n.color,
        n.left,
        n.right,
        n.child,
        b"\x00" * 16,
        0,  # state bits
        0,  # creation time
        0,  # modified time
        start,
        size,
    )
