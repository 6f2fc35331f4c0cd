"""Write sheets into a user's workbook without touching anything else in it.

The workbook is never loaded and re-saved by a library. It is edited at the part level
(`parts.Package`): the written sheets' own XML is new (cellxml.py, styles.py, sheetxml.py), and
the few shared parts that list sheets and formats get single-element insertions. Every other zip
member — input sheets, tables, charts, images, VBA, extensions, shared strings — is copied
through byte for byte.

Safety (replace.py, docs/refresh.md): the file is read once and fingerprinted; a file that
changed since the caller read it is refused (`WorkbookChanged`); an open workbook is refused
(`WorkbookLocked`); the new file is written to a temporary file beside the original, flushed to
disk and moved over it atomically, after a one-generation backup ``<name>.bak.xlsx``.

The caller names the sheets that must never be replaced (`inputs`) and hands over the palette of
named styles the cells use; `evr_xl.outputs.file` does so for the programme's output sheets.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from evr_xl.xlsx.cellxml import prepare_cells
from evr_xl.xlsx.charts import chart_parts, sheet_rels, with_drawing
from evr_xl.xlsx.names import PRINT_TITLES, set_local_names
from evr_xl.xlsx.parts import (
    CT_WORKSHEET,
    RT_CALC_CHAIN,
    RT_STYLES,
    RT_WORKSHEET,
    Package,
    Rel,
    UnsupportedWorkbook,
    add_override,
    add_relationship,
    add_sheet_entry,
    calc_chain_sheet_ids,
    main_workbook_part,
    read_rels,
    read_sheets,
    rels_path,
    remove_override,
    remove_relationship,
    rename_sheet_entry,
    uses_1904_dates,
)
from evr_xl.xlsx.replace import (
    Fingerprint,
    WorkbookChanged,
    WorkbookLocked,
    backup_path_for,
    backup_temp,
    exclusive,
    fingerprint,
    fingerprint_of,
    fsync_dir,
    lock_file,
    locked_message,
    read_stable,
    replace,
    write_temp,
)
from evr_xl.xlsx.sheet import NamedStyle, SheetSpec
from evr_xl.xlsx.sheetxml import print_titles, render_sheet
from evr_xl.xlsx.styles import patch_styles

__all__ = [
    "Fingerprint",
    "UnsupportedWorkbook",
    "WorkbookChanged",
    "WorkbookLocked",
    "WriteReport",
    "backup_path_for",
    "fingerprint",
    "lock_file",
    "render_workbook",
    "write_sheets",
]


@dataclass(frozen=True)
class WriteReport:
    sheets_written: tuple[str, ...]  # every output sheet written (replaced or added)
    sheets_added: tuple[str, ...]  # those that did not exist before
    backup_path: Path | None
    seconds: float
    path: Path  # the file written
    fingerprint: Fingerprint  # of the file written: pass it to the next write
    sheets_renamed: tuple[tuple[str, str], ...] = ()  # (old, new) names, see render_workbook


@dataclass(frozen=True)
class Rendered:
    data: bytes
    sheets_written: tuple[str, ...]
    sheets_added: tuple[str, ...]
    sheets_renamed: tuple[tuple[str, str], ...] = ()


def render_workbook(
    data: bytes,
    sheets: Sequence[SheetSpec],
    palette: Mapping[str, NamedStyle],
    inputs: Collection[str] = (),
    renames: Mapping[str, str] | None = None,
) -> Rendered:
    """The workbook `data` with `sheets` written in: pure, in memory, nothing else changed.

    Cell styles are names in `palette`; a sheet named in `inputs` (any case) is never written.
    `renames` (old name -> new name) first renames an existing worksheet in place — same part,
    position, sheetId and r:id — when no sheet has the new name yet and the new name is one of
    `sheets` (which then replaces its content); otherwise that rename is skipped.
    """
    folded_inputs = {name.casefold() for name in inputs}
    _check_specs(sheets, folded_inputs)
    pkg = Package(data)
    wb_part = main_workbook_part(pkg)
    wb_rels_part = rels_path(wb_part)
    workbook_xml = pkg.read(wb_part)
    entries = {e.name.casefold(): e for e in read_sheets(workbook_xml)}
    renamed: list[tuple[str, str]] = []
    spec_names = {spec.name.casefold(): spec.name for spec in sheets}
    for old, new in (renames or {}).items():
        entry = entries.get(old.casefold())
        if (
            entry is None
            or new.casefold() in entries
            or new.casefold() not in spec_names
            or old.casefold() in folded_inputs
        ):
            continue
        workbook_xml = rename_sheet_entry(workbook_xml, entry.name, spec_names[new.casefold()])
        del entries[old.casefold()]
        entries[new.casefold()] = entry
        renamed.append((entry.name, spec_names[new.casefold()]))
    rels = {r.id: r for r in read_rels(pkg, wb_part)}
    used_rel_ids = set(rels)
    date1904 = uses_1904_dates(workbook_xml)

    # Where each sheet goes: the existing part for a sheet of that name, else a new part.
    targets: dict[str, str] = {}
    added: list[str] = []
    replaced_ids: set[int] = set()
    wb_rels_xml = pkg.read(wb_rels_part)
    types_xml = pkg.read("[Content_Types].xml")
    next_sheet_id = max((e.sheet_id for e in entries.values()), default=0) + 1
    for spec in sheets:
        entry = entries.get(spec.name.casefold())
        if entry is not None:
            rel = rels.get(entry.rel_id)
            if rel is None or rel.type != RT_WORKSHEET or rel.external:
                raise UnsupportedWorkbook(
                    f"sheet {entry.name!r} exists but is not a worksheet (a chart sheet?); "
                    "rename or delete it, then refresh again"
                )
            targets[spec.name] = rel.target
            replaced_ids.add(entry.sheet_id)
            continue
        part = _new_sheet_part(pkg)
        rel_id = _new_rel_id(used_rel_ids)
        workbook_xml = add_sheet_entry(workbook_xml, spec.name, next_sheet_id, rel_id)
        wb_rels_xml = add_relationship(wb_rels_xml, rel_id, RT_WORKSHEET, _relative(part, wb_part))
        types_xml = add_override(types_xml, part, CT_WORKSHEET)
        pkg.write(part, b"")  # reserve the part name
        next_sheet_id += 1
        targets[spec.name] = part
        added.append(spec.name)

    # Formats: one styles.xml patch for all sheets.
    prepared = {spec.name: prepare_cells(spec, date1904) for spec in sheets}
    keys = set().union(*(p.used for p in prepared.values()))
    dxf_styles = {cf.style for spec in sheets for cf in spec.conditional_formats}
    _check_styles({key.style for key in keys} | dxf_styles, palette)
    styles_part = next((r.target for r in rels.values() if r.type == RT_STYLES), None)
    if styles_part is None or styles_part not in pkg:
        raise UnsupportedWorkbook("the workbook has no styles part")
    patch = patch_styles(pkg.read(styles_part), keys, dxf_styles, palette)
    if patch.xml != pkg.read(styles_part):
        pkg.write(styles_part, patch.xml)

    for spec in sheets:
        part = targets[spec.name]
        old = pkg.read(part) if spec.name not in added else b""
        xml = render_sheet(
            spec, prepared[spec.name], patch.xf_index, patch.dxf_index,
            tab_selected=b'tabSelected="1"' in old or b'tabSelected="true"' in old,
        )  # fmt: skip
        pkg.remove(rels_path(part))  # the new sheet refers to nothing: its old links go
        if spec.charts:  # ... but its own charts, in parts named after it
            drawn = chart_parts(part, spec.name, spec.charts)
            for chart_part, content in drawn.parts.items():
                pkg.write(chart_part, content)
            for chart_part, content_type in drawn.content_types.items():
                types_xml = add_override(types_xml, chart_part, content_type)
            pkg.write(rels_path(part), sheet_rels(drawn.drawing))
            xml = with_drawing(xml)
        if old != xml:
            pkg.write(part, xml)

    # Rows and columns repeated on every printed page: a defined name per sheet written.
    position = {e.name.casefold(): e.index for e in read_sheets(workbook_xml)}
    titles = {position[spec.name.casefold()]: print_titles(spec) for spec in sheets}
    workbook_xml = set_local_names(workbook_xml, PRINT_TITLES, titles)

    wb_rels_xml, types_xml = _drop_stale_calc_chain(pkg, rels, replaced_ids, wb_rels_xml, types_xml)
    for part, new in (
        (wb_part, workbook_xml),
        (wb_rels_part, wb_rels_xml),
        ("[Content_Types].xml", types_xml),
    ):
        if new != pkg.read(part):
            pkg.write(part, new)
    written = tuple(spec.name for spec in sheets)
    return Rendered(pkg.to_bytes(), written, tuple(added), tuple(renamed))


def _check_specs(sheets: Sequence[SheetSpec], inputs: set[str]) -> None:
    seen: set[str] = set()
    for spec in sheets:
        key = spec.name.casefold()
        if key in seen:
            raise ValueError(f"output sheet {spec.name!r} is listed twice")
        if key in inputs:
            raise ValueError(f"{spec.name!r} is an input sheet; the writer never replaces it")
        seen.add(key)


def _check_styles(names: set[str | None], palette: Mapping[str, NamedStyle]) -> None:
    for name in sorted(names - palette.keys() - {None}):
        raise ValueError(f"unknown style {name!r}; use one of {sorted(palette)}")


def _new_sheet_part(pkg: Package) -> str:
    n = 1
    names = {name.casefold() for name in pkg.names()}
    while f"xl/worksheets/sheet{n}.xml" in names:
        n += 1
    return f"xl/worksheets/sheet{n}.xml"


def _new_rel_id(used: set[str]) -> str:
    n = len(used) + 1
    while f"rId{n}" in used:
        n += 1
    used.add(f"rId{n}")
    return f"rId{n}"


def _relative(part: str, source: str) -> str:
    return os.path.relpath(part, os.path.dirname(source)).replace(os.sep, "/")


def _drop_stale_calc_chain(
    pkg: Package, rels: dict[str, Rel], replaced_ids: set[int], wb_rels_xml: bytes, types_xml: bytes
) -> tuple[bytes, bytes]:
    """Remove calcChain.xml if it lists cells of a replaced sheet (Excel rebuilds it)."""
    for rel_id, rel in rels.items():
        if rel.type == RT_CALC_CHAIN and rel.target in pkg:
            if calc_chain_sheet_ids(pkg.read(rel.target)) & replaced_ids:
                pkg.remove(rel.target)
                wb_rels_xml = remove_relationship(wb_rels_xml, rel_id)
                types_xml = remove_override(types_xml, rel.target)
    return wb_rels_xml, types_xml


def write_sheets(
    path: str | os.PathLike[str],
    sheets: Sequence[SheetSpec],
    palette: Mapping[str, NamedStyle],
    inputs: Collection[str] = (),
    *,
    out_path: str | os.PathLike[str] | None = None,
    expected_fingerprint: Fingerprint | None = None,
    backup: bool = True,
    renames: Mapping[str, str] | None = None,
    edit: Callable[[bytes], bytes] | None = None,
) -> WriteReport:
    """Write `sheets` into the workbook at `path` (or into a copy at `out_path`).

    `renames`: sheets renamed in place first (see render_workbook). `edit`: applied to the file's
    bytes (after the fingerprint check, before the sheets are written) in the same atomic
    replacement, e.g. `cellpatch.set_date_or_text_cell` for the one input cell EVR may change.

    Raises WorkbookChanged if the file's content differs from `expected_fingerprint`, or changes
    while being written; WorkbookLocked if it is open in Excel or cannot be replaced;
    UnsupportedWorkbook for a file this writer cannot edit safely.

    Two refreshes of one file on this machine are serialised by an exclusive lock held from the
    read of the current file to its replacement, so the second one sees the first one's result
    and is refused (WorkbookChanged) instead of silently overwriting it.
    """
    target = Path(out_path) if out_path is not None else Path(path)
    with exclusive(target):
        return _write_sheets(
            path,
            sheets,
            palette,
            inputs,
            out_path=out_path,
            expected_fingerprint=expected_fingerprint,
            backup=backup,
            renames=renames,
            edit=edit,
        )


def _write_sheets(
    path: str | os.PathLike[str],
    sheets: Sequence[SheetSpec],
    palette: Mapping[str, NamedStyle],
    inputs: Collection[str],
    *,
    out_path: str | os.PathLike[str] | None,
    expected_fingerprint: Fingerprint | None,
    backup: bool,
    renames: Mapping[str, str] | None = None,
    edit: Callable[[bytes], bytes] | None = None,
) -> WriteReport:
    """write_sheets, under its lock."""
    started = time.perf_counter()
    source = Path(path)
    target = Path(out_path) if out_path is not None else source
    if source.suffix.lower() != target.suffix.lower():
        raise ValueError(f"{target.name} must keep the extension {source.suffix} of {source.name}")
    data, stat = read_stable(source)
    if expected_fingerprint is not None and not expected_fingerprint.same_content(
        fingerprint_of(data, stat)
    ):
        raise WorkbookChanged(
            f"{source.name} was changed after it was read (saved in Excel?). Nothing was written: "
            "run the refresh again to use the current file."
        )
    lock = lock_file(target)
    if lock is not None:
        raise WorkbookLocked(locked_message(target, lock))

    rendered = render_workbook(
        edit(data) if edit is not None else data, sheets, palette, inputs, renames
    )

    backup_path = None
    tmp = write_temp(target, rendered.data, mode_from=target if target.exists() else source)
    try:
        if target == source:
            now = source.stat()
            if (now.st_size, now.st_mtime_ns) != (stat.st_size, stat.st_mtime_ns):
                raise WorkbookChanged(
                    f"{source.name} was saved by another program during the refresh. Nothing "
                    "was written: run the refresh again."
                )
        if backup and target.exists():
            backup_path = backup_path_for(target)
            replace(backup_temp(target, backup_path), backup_path)
        replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)
    final = target.stat()
    result = Fingerprint(
        len(rendered.data), final.st_mtime_ns, hashlib.sha256(rendered.data).hexdigest()
    )
    return WriteReport(
        rendered.sheets_written,
        rendered.sheets_added,
        backup_path,
        time.perf_counter() - started,
        target,
        result,
        rendered.sheets_renamed,
    )
