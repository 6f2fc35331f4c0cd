"""Replacing a workbook file safely: what the part writer does around the new bytes.

The file is read once and fingerprinted (`Fingerprint`); a file that changed since the caller
read it is refused (`WorkbookChanged`); an open workbook is refused (`WorkbookLocked`, found by
the owner file Excel or LibreOffice keeps beside it); two writers of one file on this machine are
serialised (`exclusive`); the new file is written to a temporary file beside the original,
flushed to disk and moved over it atomically, after a one-generation backup ``<name>.bak.xlsx``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


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


def fingerprint(path: str | os.PathLike[str]) -> Fingerprint:
    """Size, modification time (ns) and SHA-256 of a file, taken from one read."""
    data, stat = read_stable(Path(path))
    return fingerprint_of(data, stat)


def fingerprint_of(data: bytes, stat: os.stat_result) -> Fingerprint:
    return Fingerprint(len(data), stat.st_mtime_ns, hashlib.sha256(data).hexdigest())


def read_stable(path: Path) -> tuple[bytes, os.stat_result]:
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


def locked_message(path: Path, lock: Path | None) -> str:
    detail = f" (lock file {lock.name} found)" if lock else ""
    return (
        f"{path.name} is open in Excel or another program{detail}. Close the workbook in Excel "
        f"and run the refresh again."
        + (f" If no program has it open, delete {lock.name} beside it." if lock else "")
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


def write_temp(beside: Path, data: bytes, *, mode_from: Path) -> Path:
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


def backup_temp(target: Path, backup_path: Path) -> Path:
    """The file now at `target`, under a temporary name beside `backup_path`.

    A hard link where the file system has them: the backup is then the very file the refresh
    replaces (no copy to write and flush: its contents are already on disk). A copy otherwise.
    """
    tmp = backup_path.with_name(f".~evr-{secrets.token_hex(8)}.tmp")
    try:
        os.link(target, tmp)
    except OSError:  # no hard links here (FAT, some network shares): copy
        return write_temp(backup_path, target.read_bytes(), mode_from=target)
    return tmp


def replace(tmp: Path, target: Path) -> None:
    try:
        os.replace(tmp, target)
    except PermissionError as exc:
        tmp.unlink(missing_ok=True)
        raise WorkbookLocked(locked_message(target, lock_file(target))) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def fsync_dir(folder: Path) -> None:
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
