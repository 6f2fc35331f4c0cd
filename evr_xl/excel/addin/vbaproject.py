"""`vbaProject.bin` from module sources, with a donor project for everything else ([MS-OVBA]).

The donor (xlwings' template) supplies the references, document modules and `_VBA_PROJECT`
(version 0xFFFF: Excel recompiles from source and ignores cached p-code). A module in both the
donor and the sources keeps its stream's prefix bytes exactly and gets the new source after it;
if its source is unchanged the stream is kept whole. A module only in the sources is added as a
standard module holding source only (offset 0). A donor module missing from the sources is
removed (except document modules, which belong to the workbook and are always kept). The `dir`
module records, module count, `PROJECT` lines and `PROJECTwm` name pairs follow.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

from evr_xl.excel.addin import cfb, ovba

_VBA_PROJECT_HEADER = b"\xcc\x61\xff\xff\x00"  # Reserved1, Version 0xFFFF, Reserved2
_NAME_LINE = re.compile(r'\AAttribute VB_Name = "([^"]+)"\r\n')


class VbaProjectError(ValueError):
    """The donor project or a source cannot be turned into a valid VBA project."""


@dataclass(frozen=True)
class DonorModule:
    """A module of the donor project as found in its `dir` stream and module stream."""

    name: str
    document: bool
    prefix: bytes
    source: str


def to_crlf(text: str) -> str:
    """VBA stores source with CRLF line ends."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _codepage(records: list[ovba.Record]) -> str:
    value = struct.unpack("<H", next(d for r, d in records if r == 0x0003))[0]
    return f"cp{value}"


def read_modules(vba_bin: bytes) -> dict[str, DonorModule]:
    """The modules of a `vbaProject.bin`, by name, in `dir` order."""
    streams = cfb.read_streams(vba_bin)
    records = ovba.parse_dir(ovba.decompress(streams[("VBA", "dir")]))
    codepage = _codepage(records)
    _, entries = ovba.split_modules(records)
    documents = _document_modules(streams[("PROJECT",)], codepage)
    modules = {}
    for entry in entries:
        raw = streams[("VBA", entry.stream_name)]
        source = ovba.decompress(raw[entry.offset :]).decode(codepage)
        modules[entry.name] = DonorModule(
            entry.name, entry.name in documents, raw[: entry.offset], source
        )
    return modules


def build_vba_project(donor: bytes, sources: dict[str, str], project_name: str) -> bytes:
    """A new `vbaProject.bin`: the donor with its non-document modules replaced by `sources`.

    `sources` maps module name -> source text as stored in the module (starting with its
    `Attribute VB_Name` line); line ends are written as CRLF.
    """
    streams = cfb.read_streams(donor)
    if not streams[("VBA", "_VBA_PROJECT")].startswith(_VBA_PROJECT_HEADER):
        raise VbaProjectError("donor _VBA_PROJECT is not version 0xFFFF; refusing to reuse it")
    records = ovba.parse_dir(ovba.decompress(streams[("VBA", "dir")]))
    codepage = _codepage(records)
    head, entries = ovba.split_modules(records)
    documents = _document_modules(streams[("PROJECT",)], codepage)
    texts = {name: to_crlf(text) for name, text in sources.items()}
    for name, text in texts.items():
        match = _NAME_LINE.match(text)
        if not match or match.group(1) != name:
            raise VbaProjectError(
                f'source of module {name} must start with Attribute VB_Name = "{name}"'
            )

    kept: list[ovba.ModuleEntry] = []
    new_streams = {
        p: d for p, d in streams.items() if p[0] != "VBA" or p[1] in ("dir", "_VBA_PROJECT")
    }
    for entry in entries:
        raw = streams[("VBA", entry.stream_name)]
        if entry.name in documents:
            if entry.name in texts:
                raise VbaProjectError(
                    f"{entry.name} is a document module; it is kept from the donor"
                )
            new_streams[("VBA", entry.stream_name)] = raw
            kept.append(entry)
            continue
        if entry.name not in texts:
            continue  # dropped
        encoded = texts[entry.name].encode(codepage)
        old = ovba.decompress(raw[entry.offset :])
        stream = raw if old == encoded else raw[: entry.offset] + ovba.compress(encoded)
        new_streams[("VBA", entry.stream_name)] = stream
        kept.append(entry)
    known = {e.name for e in kept}
    added = [name for name in sources if name not in known]
    for name in added:
        if "Attribute VB_Base" in texts[name]:
            raise VbaProjectError(f"{name}: only standard modules can be added, not classes")
        kept.append(ovba.new_procedural_module(name, codepage))
        new_streams[("VBA", name)] = ovba.compress(texts[name].encode(codepage))

    head = [(r, project_name.encode(codepage) if r == ovba.PROJECTNAME else d) for r, d in head]
    dir_bytes = ovba.write_dir(ovba.join_modules(head, kept))
    new_streams[("VBA", "dir")] = ovba.compress(dir_bytes)
    dropped = {e.name for e in entries} - known
    new_streams[("PROJECT",)] = _project_stream(
        streams[("PROJECT",)], dropped, added, project_name, codepage
    )
    new_streams[("PROJECTwm",)] = _project_wm([e.name for e in kept], codepage)
    return cfb.write_streams(_ordered(new_streams))


def _document_modules(project: bytes, codepage: str) -> set[str]:
    """Names of the document modules (workbook and sheets), from `Document=Name/&H...` lines."""
    lines = project.decode(codepage).split("\r\n")
    return {line[9:].split("/", 1)[0] for line in lines if line.startswith("Document=")}


def _project_stream(
    data: bytes, dropped: set[str], added: list[str], project_name: str, codepage: str
) -> bytes:
    """The PROJECT stream ([MS-OVBA] 2.3.1) with module lines and the project name updated."""
    lines = data.decode(codepage).split("\r\n")
    out: list[str] = []
    last_module = 0
    module_keys = ("Module", "Class", "Document", "BaseClass", "Package")
    for line in lines:
        key, _, value = line.partition("=")
        base = value.split("/", 1)[0]
        if key in module_keys and base in dropped:
            continue
        if key in dropped and out and "[Workspace]" in out:
            continue
        if key == "Name":
            line = f'Name="{project_name}"'
        out.append(line)
        if key in module_keys:
            last_module = len(out)
    out[last_module:last_module] = [f"Module={name}" for name in added]
    return "\r\n".join(out).encode(codepage)


def _project_wm(names: list[str], codepage: str) -> bytes:
    """PROJECTwm ([MS-OVBA] 2.3.3): each module name in MBCS and UTF-16, then a terminator."""
    pairs = b"".join(
        n.encode(codepage) + b"\x00" + n.encode("utf-16-le") + b"\x00\x00" for n in names
    )
    return pairs + b"\x00\x00"


def _ordered(streams: dict[cfb.Path, bytes]) -> dict[cfb.Path, bytes]:
    return dict(sorted(streams.items()))
