"""The xlsx package at the part level: a zip whose untouched members are copied through raw.

`Package` reads an .xlsx/.xlsm held in memory, lets a caller replace, add or remove a few parts,
and writes a new zip in which every other member keeps its compressed bytes, CRC and order —
so input sheets, charts, images, VBA and extensions cannot change, and nothing is recompressed.

Also here: small string-level edits of the package's XML parts (relationships, content types,
the workbook's sheet list). They insert or remove single elements and leave every other byte
alone, because re-serialising with ElementTree renames namespace prefixes that `mc:Ignorable`
refers to, which Excel rejects. XML is only *read* with defusedxml.
"""

from __future__ import annotations

import os
import posixpath
import re
import struct
import zipfile
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import quoteattr, unescape

from defusedxml import ElementTree as SafeET

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
RT_OFFICE_DOCUMENT = REL_NS + "/officeDocument"
RT_WORKSHEET = REL_NS + "/worksheet"
RT_STYLES = REL_NS + "/styles"
RT_CALC_CHAIN = REL_NS + "/calcChain"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4sBBHHHHHIIIHHHHHII")
_END = struct.Struct("<4sHHHHIIH")
_NEW_DATE = (1980, 1, 1, 0, 0, 0)  # what Excel stamps on every member: deterministic output
ATTRS = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""  # a tag's attributes, '>' inside quotes allowed


class UnsupportedWorkbook(ValueError):
    """The file is not a workbook this writer can edit safely (named in the message)."""


@dataclass
class _Member:
    info: zipfile.ZipInfo
    raw: bytes | None  # compressed bytes copied from the source
    data: bytes | None = None  # new uncompressed content (replaces raw)
    deflated: Future[tuple[int, bytes]] | None = None  # (CRC-32, deflated) of data


def _deflate(data: bytes) -> tuple[int, bytes]:
    """The CRC-32 and raw deflate stream of a new part (zlib releases the GIL for both)."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return zlib.crc32(data), compressor.compress(data) + compressor.flush()


class Package:
    """An xlsx zip in memory: read parts, replace a few, write the rest through raw."""

    def __init__(self, data: bytes) -> None:
        self._source = data
        try:
            self._zip = zipfile.ZipFile(BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise UnsupportedWorkbook("not an xlsx/xlsm file (not a zip archive)") from exc
        self._members: dict[str, _Member] = {}
        self._deflating: ThreadPoolExecutor | None = None  # started by the first write
        for info in self._zip.infolist():
            if info.flag_bits & 0x1:
                raise UnsupportedWorkbook("the workbook is encrypted (password to open)")
            if max(
                info.file_size, info.compress_size, info.header_offset
            ) >= 0xFFFFFFFF or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise UnsupportedWorkbook(
                    f"zip member {info.filename} uses ZIP64 or odd compression"
                )
            self._members[info.filename] = _Member(info, None)
        self.comment = self._zip.comment

    def names(self) -> list[str]:
        return list(self._members)

    def __contains__(self, name: str) -> bool:
        return name in self._members

    def read(self, name: str) -> bytes:
        member = self._members[name]
        if member.data is not None:
            return member.data
        return self._zip.read(member.info)

    def write(self, name: str, data: bytes) -> None:
        """Replace a part's content (keeping its place in the zip) or add a new part at the end.

        The content is deflated at once in a worker thread, so compressing one sheet overlaps
        whatever the caller does next (rendering the next sheet); `to_bytes` collects it.
        """
        member = self._members.get(name)
        if member is None:
            info = zipfile.ZipInfo(name, _NEW_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            member = self._members[name] = _Member(info, None)
        if self._deflating is None:
            self._deflating = ThreadPoolExecutor(os.cpu_count(), "evr-deflate")
        member.data = data
        member.deflated = self._deflating.submit(_deflate, data)

    def remove(self, name: str) -> None:
        self._members.pop(name, None)

    def changed(self) -> set[str]:
        return {n for n, m in self._members.items() if m.data is not None}

    def to_bytes(self) -> bytes:
        """The new zip: untouched members raw-copied, changed ones deflated.

        The pieces are joined once at the end, untouched members as views of the source: a
        large workbook is copied once, not once per append.
        """
        pieces: list[bytes | memoryview] = []
        central: list[bytes] = []
        offset = 0
        source = memoryview(self._source)
        for member in self._members.values():
            info = member.info
            flags = info.flag_bits & ~0x08  # sizes go in the local header: no data descriptor
            if member.deflated is None:
                body: bytes | memoryview = self._raw(info, source)
                crc, size, method = info.CRC, info.file_size, info.compress_type
            else:
                crc, body = member.deflated.result()
                size, method = len(member.data), zipfile.ZIP_DEFLATED
            name_bytes, utf8 = _encode_name(info)
            flags = (flags | 0x800) if utf8 else flags
            dos_time, dos_date = _dos_datetime(info.date_time)
            version = max(info.extract_version, 20)
            if offset >= 0xFFFFFFFF or len(body) >= 0xFFFFFFFF:
                raise UnsupportedWorkbook("the workbook would exceed 4 GB (ZIP64 is not written)")
            header = _LOCAL.pack(
                b"PK\x03\x04", version, flags, method, dos_time, dos_date, crc, len(body), size,
                len(name_bytes), 0,
            )  # fmt: skip
            pieces += (header, name_bytes, body)
            extra = info.extra if member.data is None else b""
            comment = info.comment if member.data is None else b""
            entry = _CENTRAL.pack(
                b"PK\x01\x02", max(info.create_version, 20), info.create_system, version, flags,
                method, dos_time, dos_date, crc, len(body), size, len(name_bytes), len(extra),
                len(comment), 0, info.internal_attr, info.external_attr, offset,
            )  # fmt: skip
            central.append(entry + name_bytes + extra + comment)
            offset += len(header) + len(name_bytes) + len(body)
        if self._deflating is not None:  # every deflate is collected: let the threads go
            self._deflating.shutdown()
            self._deflating = None
        count = len(self._members)
        if count > 0xFFFF:
            raise UnsupportedWorkbook("too many zip members")
        central_size = sum(map(len, central))
        end = _END.pack(b"PK\x05\x06", 0, 0, count, count, central_size, offset, len(self.comment))
        return b"".join([*pieces, *central, end, self.comment])

    def _raw(self, info: zipfile.ZipInfo, source: memoryview) -> memoryview:
        head = self._source[info.header_offset : info.header_offset + _LOCAL.size]
        sig, *_, name_len, extra_len = _LOCAL.unpack(head)
        if sig != b"PK\x03\x04":
            raise UnsupportedWorkbook(f"damaged zip: bad local header for {info.filename}")
        start = info.header_offset + _LOCAL.size + name_len + extra_len
        return source[start : start + info.compress_size]


def _encode_name(info: zipfile.ZipInfo) -> tuple[bytes, bool]:
    """The member name as stored: UTF-8 when flagged so, else cp437 (zipfile's reading)."""
    if info.flag_bits & 0x800:
        return info.orig_filename.encode("utf-8"), True
    try:
        return info.orig_filename.encode("cp437"), False
    except UnicodeEncodeError:
        return info.orig_filename.encode("utf-8"), True


def _dos_datetime(date_time: tuple[int, ...]) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    return (h << 11) | (mi << 5) | (s // 2), ((max(y, 1980) - 1980) << 9) | (mo << 5) | d


# ---- relationships --------------------------------------------------------------------------


@dataclass(frozen=True)
class Rel:
    id: str
    type: str
    target: str  # resolved part name, e.g. "xl/worksheets/sheet1.xml" (or the URL if external)
    external: bool


def rels_path(part: str) -> str:
    """xl/workbook.xml -> xl/_rels/workbook.xml.rels."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def read_rels(pkg: Package, part: str) -> list[Rel]:
    """The relationships of `part` ("" for the package), targets resolved to part names."""
    path = rels_path(part) if part else "_rels/.rels"
    if path not in pkg:
        return []
    root = SafeET.fromstring(pkg.read(path))
    base = posixpath.dirname(part)
    rels = []
    for el in root.iter(f"{{{PKG_REL_NS}}}Relationship"):
        target = el.get("Target", "")
        external = el.get("TargetMode") == "External"
        if not external:
            target = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(base, target))
            )
        rels.append(Rel(el.get("Id", ""), el.get("Type", ""), target, external))
    return rels


def main_workbook_part(pkg: Package) -> str:
    for rel in read_rels(pkg, ""):
        if rel.type == RT_OFFICE_DOCUMENT:
            return rel.target
    raise UnsupportedWorkbook("no workbook part in the package (not an Excel workbook)")


def add_relationship(xml: bytes, rel_id: str, rel_type: str, target: str) -> bytes:
    element = f"<Relationship Id={quoteattr(rel_id)} Type={quoteattr(rel_type)} Target={quoteattr(target)}/>"
    return insert_before_close(xml, "Relationships", element)


def remove_relationship(xml: bytes, rel_id: str) -> bytes:
    text = xml.decode("utf-8")
    pattern = re.compile(
        rf"<(?:\w+:)?Relationship\b{ATTRS}?\bId\s*=\s*([\"']){re.escape(rel_id)}\1{ATTRS}?/>"
    )
    return pattern.sub("", text, count=1).encode("utf-8")


def add_override(xml: bytes, part: str, content_type: str) -> bytes:
    """Declare `part`'s content type in [Content_Types].xml unless it is declared already."""
    text = xml.decode("utf-8")
    if re.search(rf"PartName\s*=\s*[\"']/{re.escape(part)}[\"']", text, re.IGNORECASE):
        return xml
    element = f"<Override PartName={quoteattr('/' + part)} ContentType={quoteattr(content_type)}/>"
    return insert_before_close(xml, "Types", element)


def remove_override(xml: bytes, part: str) -> bytes:
    text = xml.decode("utf-8")
    pattern = re.compile(
        rf"<(?:\w+:)?Override\b{ATTRS}?PartName\s*=\s*[\"']/{re.escape(part)}[\"']{ATTRS}?/>",
        re.IGNORECASE,
    )
    return pattern.sub("", text, count=1).encode("utf-8")


def insert_before_close(xml: bytes, local_name: str, element: str) -> bytes:
    """Insert `element` just before the closing tag of the last `local_name` element."""
    text = xml.decode("utf-8")
    matches = list(re.finditer(rf"</((?:\w+:)?){local_name}\s*>", text))
    if not matches:
        raise UnsupportedWorkbook(f"no </{local_name}> in a package part")
    m = matches[-1]
    prefix = m.group(1)
    if prefix:  # the document uses a prefix for its default namespace: match it
        element = re.sub(r"^<(\w)", rf"<{prefix}\1", element)
    return (text[: m.start()] + element + text[m.start() :]).encode("utf-8")


# ---- the workbook's sheet list --------------------------------------------------------------


@dataclass(frozen=True)
class SheetEntry:
    name: str
    sheet_id: int
    rel_id: str
    index: int  # 0-based position in <sheets>


def read_sheets(workbook_xml: bytes) -> list[SheetEntry]:
    root = SafeET.fromstring(workbook_xml)
    if root.tag != f"{{{MAIN_NS}}}workbook":
        raise UnsupportedWorkbook(
            "the workbook uses Strict Open XML or an unknown format; save it as "
            "'Excel Workbook (*.xlsx)' and try again"
        )
    entries = []
    for i, el in enumerate(root.iter(f"{{{MAIN_NS}}}sheet")):
        entries.append(
            SheetEntry(
                el.get("name", ""), int(el.get("sheetId", "0")), el.get(f"{{{REL_NS}}}id", ""), i
            )
        )
    return entries


def uses_1904_dates(workbook_xml: bytes) -> bool:
    root = SafeET.fromstring(workbook_xml)
    pr = root.find(f"{{{MAIN_NS}}}workbookPr")
    return pr is not None and pr.get("date1904", "0").lower() in ("1", "true")


def add_sheet_entry(workbook_xml: bytes, name: str, sheet_id: int, rel_id: str) -> bytes:
    """Append a <sheet> to <sheets>, using the prefix the document binds to the r: namespace."""
    text = workbook_xml.decode("utf-8")
    root_tag = re.search(rf"<(?:\w+:)?workbook\b{ATTRS}>", text)
    prefix_match = root_tag and re.search(
        rf"xmlns:(\w+)\s*=\s*[\"']{re.escape(REL_NS)}[\"']", root_tag.group(0)
    )
    if prefix_match:
        rid = f"{prefix_match.group(1)}:id={quoteattr(rel_id)}"
    else:
        rid = f'xmlns:evrr="{REL_NS}" evrr:id={quoteattr(rel_id)}'
    element = f'<sheet name={quoteattr(name)} sheetId="{sheet_id}" {rid}/>'
    return insert_before_close(workbook_xml, "sheets", element)


def rename_sheet_entry(workbook_xml: bytes, old: str, new: str) -> bytes:
    """The <sheet> named `old` (case-insensitively) renamed to `new`; nothing else changes.

    String-level, like the insertions: only that element's name attribute is rewritten, so the
    sheet keeps its position, sheetId and r:id (defined names' localSheetId stay right).
    """
    text = workbook_xml.decode("utf-8")
    for tag in re.finditer(rf"<(?:\w+:)?sheet\b({ATTRS})/?>", text):
        m = re.search(r"""\bname\s*=\s*("[^"]*"|'[^']*')""", tag.group(1))
        if m is None or unescape(m.group(1)[1:-1], _ENTITIES).casefold() != old.casefold():
            continue
        start = tag.start(1) + m.start(1)
        end = tag.start(1) + m.end(1)
        return (text[:start] + quoteattr(new) + text[end:]).encode("utf-8")
    raise ValueError(f"no sheet named {old!r}")


_ENTITIES = {"&quot;": '"', "&apos;": "'"}


def calc_chain_sheet_ids(xml: bytes) -> set[int]:
    """The sheet ids calcChain.xml refers to (an entry without i= repeats the previous one)."""
    ids: set[int] = set()
    current = 0
    for tag in re.finditer(rf"<(?:\w+:)?c\b({ATTRS})/?>", xml.decode("utf-8")):
        m = re.search(r"\bi\s*=\s*[\"'](\d+)[\"']", tag.group(1))
        if m:
            current = int(m.group(1))
        ids.add(current)
    return ids
