"""Write sheets into a user's workbook without touching anything else in it.

The workbook is never loaded and re-saved by a library. It is edited at the part level
(`parts.Package`): the written sheets' own XML is new (cellxml.py, sheetxml.py, styles.py), and the few shared parts that
list sheets and formats get single-element insertions. Every other zip member — input sheets,
tables, charts, images, VBA, extensions, shared strings — is copied through byte for byte.

Safety (see docs/refresh.md): the file is read once and fingerprinted; a file that changed
since the caller read it is refused (`WorkbookChanged`); an open workbook is refused
(`WorkbookLocked`); the new file is written to a temporary file beside the original, flushed to
disk and moved over it atomically, after a one-generation backup ``<name>.bak.xlsx``.

The caller names the sheets that must never be replaced (`inputs`) and hands over the palette of
named styles the cells use; `evr_xl.outputs.file` does so for the programme's output sheets.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import tempfile
import time
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from evr_xl.xlsx.cellxml import prepare_cells
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
    uses_1904_dates,
)
from evr_xl.xlsx.sheet import NamedStyle, SheetSpec
from evr_xl.xlsx.sheetxml import render_sheet
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


class WorkbookChanged(RuntimeError):
    """The file differs from the one the caller read: writing would lose someone's edits."""


class WorkbookLocked(RuntimeError):
    """The workbook is open in Excel (or LibreOffice), or the file cannot be replaced."""


@dataclass(frozen=True)
class Fingerprint:
    """A file's identity when it was read. Equal content = equal size and SHA-256."""

    size: int
    mtime_ns: int
    sha256: str

    def same_content(self, other: Fingerprint) -> bool:
        return self.size == other.size and self.sha256 == other.sha256


@dataclass(frozen=True)
class WriteReport:
    sheets_written: tuple[str, ...]  # every output sheet written (replaced or added)
    sheets_added: tuple[str, ...]  # those that did not exist before
    backup_path: Path | None
    seconds: float
    path: Path  # the file written
    fingerprint: Fingerprint  # of the file written: pass it to the next write


def fingerprint(path: str | os.PathLike[str]) -> Fingerprint:
    """Size, modification time (ns) and SHA-256 of a file, taken from one read."""
    data, stat = _read(Path(path))
    return _fingerprint(data, stat)


def _fingerprint(data: bytes, stat: os.stat_result) -> Fingerprint:
    return Fingerprint(len(data), stat.st_mtime_ns, hashlib.sha256(data).hexdigest())


def _read(path: Path) -> tuple[bytes, os.stat_result]:
    """The file's bytes and its stat, retried once if it changed while being read."""
    for _ in range(2):
        before = path.stat()
        data = path.read_bytes()
        after = path.stat()
        if (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns):
            return data, after
    raise WorkbookChanged(f"{path.name} kept changing while it was read; try again")


def backup_path_for(path: str | os.PathLike[str]) -> Path:
    """Programme.xlsx -> Programme.bak.xlsx (one generation, overwritten on each refresh)."""
    p = Path(path)
    return p.with_name(f"{p.stem}.bak{p.suffix}")


def lock_file(path: str | os.PathLike[str]) -> Path | None:
    """The owner file Excel or LibreOffice keeps beside an open workbook, if there is one."""
    p = Path(path)
    names = [f"~${p.name}", f".~lock.{p.name}#"]
    if len(p.stem) > 2:
        names.append(f"~${p.name[2:]}")  # Office's shortened form for long names (reported)
    for name in names:
        candidate = p.with_name(name)
        if candidate.exists():
            return candidate
    return None


def _locked_message(path: Path, lock: Path | None) -> str:
    detail = f" (lock file {lock.name} found)" if lock else ""
    return (
        f"{path.name} is open in Excel or another program{detail}. Close the workbook in Excel "
        f"and run the refresh again."
        + (f" If no program has it open, delete {lock.name} beside it." if lock else "")
    )


@dataclass(frozen=True)
class Rendered:
    data: bytes
    sheets_written: tuple[str, ...]
    sheets_added: tuple[str, ...]


def render_workbook(
    data: bytes,
    sheets: Sequence[SheetSpec],
    palette: Mapping[str, NamedStyle],
    inputs: Collection[str] = (),
) -> Rendered:
    """The workbook `data` with `sheets` written in: pure, in memory, nothing else changed.

    Cell styles are names in `palette`; a sheet named in `inputs` (any case) is never written.
    """
    _check_specs(sheets, {name.casefold() for name in inputs})
    pkg = Package(data)
    wb_part = main_workbook_part(pkg)
    wb_rels_part = rels_path(wb_part)
    workbook_xml = pkg.read(wb_part)
    entries = {e.name.casefold(): e for e in read_sheets(workbook_xml)}
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
        if old != xml:
            pkg.write(part, xml)
        pkg.remove(rels_path(part))  # the new sheet refers to nothing: its old links go

    wb_rels_xml, types_xml = _drop_stale_calc_chain(pkg, rels, replaced_ids, wb_rels_xml, types_xml)
    for part, new in (
        (wb_part, workbook_xml),
        (wb_rels_part, wb_rels_xml),
        ("[Content_Types].xml", types_xml),
    ):
        if new != pkg.read(part):
            pkg.write(part, new)
    written = tuple(spec.name for spec in sheets)
    return Rendered(pkg.to_bytes(), written, tuple(added))


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
) -> WriteReport:
    """Write `sheets` into the workbook at `path` (or into a copy at `out_path`).

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
        )


LOCK_WAIT_SECONDS = 15.0


@contextlib.contextmanager
def exclusive(target: Path) -> Iterator[None]:
    """An inter-process lock on `target`, kept in the temp folder (no clutter beside the file).

    fcntl on Linux and macOS, msvcrt on Windows; released by the OS if the process dies, so a
    killed refresh never leaves the workbook locked. Waits up to LOCK_WAIT_SECONDS.
    """
    folder = Path(tempfile.gettempdir()) / "evr-locks"
    folder.mkdir(exist_ok=True)
    key = hashlib.sha256(str(target.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    with open(folder / f"{key}.lock", "a+b") as fh:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while not _try_lock(fh):
            if time.monotonic() > deadline:
                raise WorkbookLocked(
                    f"{target.name} is being written by another EVR refresh; wait for it to finish "
                    "and run the refresh again."
                )
            time.sleep(0.05)
        try:
            yield
        finally:
            _unlock(fh)


def _try_lock(fh: BinaryIO) -> bool:
    try:
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(fh: BinaryIO) -> None:
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _write_sheets(
    path: str | os.PathLike[str],
    sheets: Sequence[SheetSpec],
    palette: Mapping[str, NamedStyle],
    inputs: Collection[str],
    *,
    out_path: str | os.PathLike[str] | None,
    expected_fingerprint: Fingerprint | None,
    backup: bool,
) -> WriteReport:
    """write_sheets, under its lock."""
    started = time.perf_counter()
    source = Path(path)
    target = Path(out_path) if out_path is not None else source
    if source.suffix.lower() != target.suffix.lower():
        raise ValueError(f"{target.name} must keep the extension {source.suffix} of {source.name}")
    data, stat = _read(source)
    if expected_fingerprint is not None and not expected_fingerprint.same_content(
        _fingerprint(data, stat)
    ):
        raise WorkbookChanged(
            f"{source.name} was changed after it was read (saved in Excel?). Nothing was written: "
            "run the refresh again to use the current file."
        )
    lock = lock_file(target)
    if lock is not None:
        raise WorkbookLocked(_locked_message(target, lock))

    rendered = render_workbook(data, sheets, palette, inputs)

    backup_path = None
    tmp = _write_temp(target, rendered.data, mode_from=target if target.exists() else source)
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
            _replace(_backup_temp(target, backup_path), backup_path)
        _replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
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
    )


def _write_temp(beside: Path, data: bytes, *, mode_from: Path) -> Path:
    """`data` in a new temporary file in `beside`'s folder, flushed to disk."""
    fd, name = tempfile.mkstemp(prefix=".~evr-", suffix=".tmp", dir=beside.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.chmod(tmp, mode_from.stat().st_mode & 0o7777)
        except OSError:
            pass  # keeping the permissions is a courtesy, not a requirement
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _backup_temp(target: Path, backup_path: Path) -> Path:
    """The file now at `target`, under a temporary name beside `backup_path`.

    A hard link where the file system has them: the backup is then the very file the refresh
    replaces (no copy to write and flush: its contents are already on disk). A copy otherwise.
    """
    tmp = backup_path.with_name(f".~evr-{secrets.token_hex(8)}.tmp")
    try:
        os.link(target, tmp)
    except OSError:  # no hard links here (FAT, some network shares): copy
        return _write_temp(backup_path, target.read_bytes(), mode_from=target)
    return tmp


def _replace(tmp: Path, target: Path) -> None:
    try:
        os.replace(tmp, target)
    except PermissionError as exc:
        tmp.unlink(missing_ok=True)
        raise WorkbookLocked(_locked_message(target, lock_file(target))) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable (POSIX); Windows has no directory handles to sync."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
