"""Install, remove or inspect the EVR-XL Excel add-in on this computer.

    python setup_addin.py status
    python setup_addin.py install [--dry-run]
    python setup_addin.py uninstall [--dry-run]

Run it with the Python that has EVR-XL installed (the one Excel should use). `install` checks
that Python (xlwings must be the version baked into the add-in), writes the add-in's user config
(the full interpreter path and the UDF module), copies `evr_addin.xlam` into Excel's start-up
folder, unblocks it on Windows and, on a Mac, installs xlwings' RunPython AppleScript. It
changes nothing else: no registry, no Trust Center setting. `--platform windows|mac` previews
the steps for another system (with `--dry-run`).
"""

from __future__ import annotations

import argparse
import filecmp
import os
import re
import shutil
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ADDIN_NAME = "evr_addin"
UDF_MODULES = "udfs.evr_functions"
HERE = Path(__file__).resolve().parent
DEFAULT_ADDIN = HERE / "workbook_templates" / f"{ADDIN_NAME}.xlam"
MAC_EXCEL_APP = Path("/Applications/Microsoft Excel.app")
MAC_STARTUP = (
    "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel"
)
MAC_CONTAINER = "Library/Containers/com.microsoft.Excel/Data"
MAC_SCRIPTS = "Library/Application Scripts/com.microsoft.Excel"

TRUST_NOTES = """\
Before the first use, in Excel:
  * Trust Center (Windows: File > Options > Trust Center > Trust Center Settings): the
    start-up folder (XLSTART) is a Trusted Location by default, so the add-in's macros run.
    If IT turned Trusted Locations off, or ticked "Require Application Add-ins to be signed
    by Trusted Publisher" under Add-ins, ask IT to trust or sign evr_addin.xlam. On a Mac,
    Excel may ask once whether to enable the add-in's macros: choose "Enable Macros".
  * Windows only: if your company enables the Microsoft Defender rule
    "Block all Office applications from creating child processes", Excel cannot start
    Python: the buttons and worksheet functions fail (often with a COM or "file not found"
    error). Only IT can add an exclusion for Excel starting python.exe.
  * Files downloaded from the internet or e-mail are blocked ("Mark of the Web"); install
    removes that mark from the copied add-in. If you copy it by hand: right-click the file >
    Properties > tick "Unblock".
  * Keep the add-in and your Python code off OneDrive/SharePoint-synced folders."""


@dataclass
class Target:
    """Where things go on one platform, for one user."""

    platform: str  # "windows" | "mac" | "linux"
    home: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def startup_dir(self) -> Path | None:
        if self.platform == "windows":
            appdata = Path(self.env.get("APPDATA") or self.home / "AppData" / "Roaming")
            return appdata / "Microsoft" / "Excel" / "XLSTART"
        if self.platform == "mac":
            return self.home / MAC_STARTUP
        return None

    @property
    def config_file(self) -> Path | None:
        """xlwings' user config for an add-in whose PROJECT_NAME is evr_addin."""
        if self.platform == "windows":
            profile = Path(self.env.get("USERPROFILE") or self.home)
            return profile / f".{ADDIN_NAME}" / f"{ADDIN_NAME}.conf"
        if self.platform == "mac":  # Excel is sandboxed: its $HOME is its container
            return self.home / MAC_CONTAINER / f"{ADDIN_NAME}.conf"
        return None

    @property
    def interpreter_key(self) -> str:
        return "INTERPRETER_MAC" if self.platform == "mac" else "INTERPRETER_WIN"

    def excel_found(self) -> bool:
        if self.platform == "windows":
            return _windows_excel_registered() or (
                self.startup_dir is not None and self.startup_dir.parent.is_dir()
            )
        if self.platform == "mac":
            return MAC_EXCEL_APP.is_dir() or (self.home / MAC_CONTAINER).is_dir()
        return False


def _windows_excel_registered() -> bool:
    try:
        import winreg
    except ImportError:
        return False
    key = r"SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\excel.exe"
    for hive in (winreg.HKEY_LOCAL_MACHINE, winreg.HKEY_CURRENT_USER):
        try:
            winreg.CloseKey(winreg.OpenKey(hive, key))
            return True
        except OSError:
            continue
    return False


def current_platform() -> str:
    if sys.platform.startswith("win"):
        return "windows"
    return "mac" if sys.platform == "darwin" else "linux"


def addin_xlwings_version(addin: Path) -> str:
    """The xlwings version baked into the add-in's VBA (its DLL names use it)."""
    from evr_xl.excel.addin.vbaproject import read_modules

    with zipfile.ZipFile(addin) as zf:
        source = read_modules(zf.read("xl/vbaProject.bin"))["xlwings"].source
    match = re.search(r'XLWINGS_VERSION As String = "([^"]+)"', source)
    if not match:
        raise ValueError(f"{addin}: no XLWINGS_VERSION in its xlwings module")
    return match.group(1)


def check_python(addin: Path, target: Target) -> list[str]:
    """Problems with this Python as the add-in's interpreter (empty when it is fine)."""
    problems = []
    if not addin.is_file():
        return [f"{addin}: add-in not found; build it with `python -m evr_xl.excel.addin.build`."]
    try:
        import xlwings
    except ImportError:
        return [f"xlwings is not installed in {sys.executable}; run `pip install evr-xl` here."]
    try:
        pinned = addin_xlwings_version(addin)
    except ImportError:
        return [f"EVR-XL is not installed in {sys.executable}; run `pip install evr-xl` here."]
    if xlwings.__version__ != pinned:
        problems.append(
            f"xlwings {xlwings.__version__} is installed but the add-in needs {pinned}: "
            f"run `{sys.executable} -m pip install xlwings=={pinned}`."
        )
    for module in ("evr_xl.excel.actions", UDF_MODULES):
        try:
            __import__(module)
        except Exception as exc:  # any import failure means Excel's buttons would fail too
            problems.append(f"{module} does not import in {sys.executable}: {exc}")
    if target.platform == "windows" and current_platform() == "windows":
        dll = Path(sys.prefix) / f"xlwings64-{pinned}.dll"
        if not dll.is_file():
            problems.append(
                f"{dll} is missing (antivirus may have removed it): reinstall xlwings=={pinned}."
            )
    return problems


def config_text(target: Target, interpreter: str) -> str:
    """The user config, in the "KEY","value" lines xlwings' VBA reads with Input #."""
    return f'"{target.interpreter_key}","{interpreter}"\n"UDF MODULES","{UDF_MODULES}"\n'


def install_steps(addin: Path, target: Target) -> list[tuple[str, Path]]:
    """(description, path) of each change install makes."""
    assert target.startup_dir is not None and target.config_file is not None
    dest = target.startup_dir / addin.name
    steps = [
        (f"write the user config ({target.interpreter_key}, UDF MODULES)", target.config_file),
        ("copy the add-in into Excel's start-up folder", dest),
    ]
    if target.platform == "windows":
        steps.append(
            ("unblock it (remove the Zone.Identifier mark)", Path(f"{dest}:Zone.Identifier"))
        )
    if target.platform == "mac":
        import xlwings

        script = f"xlwings-{xlwings.__version__}.applescript"
        steps.append(("install xlwings' RunPython AppleScript", target.home / MAC_SCRIPTS / script))
    return steps


def do_install(addin: Path, target: Target, dry_run: bool) -> int:
    problems = check_python(addin, target)
    for p in problems:
        print(f"Problem: {p}")
    if target.platform == "linux":
        print(
            "Excel does not run on Linux: nothing to install here. On Windows or a Mac, install would:"
        )
        for name in ("windows", "mac"):
            preview = Target(name, target.home)
            for what, path in install_steps(addin, preview):
                print(f"  [{name}] {what}: {path}")
        return 1
    excel = target.excel_found()
    if not excel:
        print(f"Microsoft Excel was not found on this {target.platform} machine.")
    verb = "Would" if dry_run or not excel or problems else "Will"
    for what, path in install_steps(addin, target):
        print(f"{verb} {what}: {path}")
    if dry_run:
        print("\n" + TRUST_NOTES)
        return 1 if problems else 0
    if problems or not excel:
        print("Nothing was changed.")
        return 1
    assert target.config_file is not None and target.startup_dir is not None
    target.config_file.parent.mkdir(parents=True, exist_ok=True)
    target.config_file.write_text(config_text(target, sys.executable), encoding="utf-8")
    target.startup_dir.mkdir(parents=True, exist_ok=True)
    dest = target.startup_dir / addin.name
    shutil.copyfile(addin, dest)
    if target.platform == "windows":
        Path(f"{dest}:Zone.Identifier").unlink(missing_ok=True)
    if target.platform == "mac":
        import xlwings

        script = f"xlwings-{xlwings.__version__}.applescript"
        scripts = target.home / MAC_SCRIPTS
        scripts.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(xlwings.__file__).parent / script, scripts / script)
    print(f"Installed. Restart Excel: the 'Value Realization' tab appears.\n\n{TRUST_NOTES}")
    return 0


def do_uninstall(addin: Path, target: Target, dry_run: bool) -> int:
    if target.startup_dir is None or target.config_file is None:
        print("Excel does not run on Linux: there is nothing to uninstall here.")
        return 1
    victims = [p for p in (target.startup_dir / addin.name, target.config_file) if p.exists()]
    if not victims:
        print("The EVR-XL add-in is not installed for this user.")
    for path in victims:
        print(f"{'Would remove' if dry_run else 'Removing'} {path}")
        if not dry_run:
            path.unlink()
    if not dry_run and target.config_file.parent.name == f".{ADDIN_NAME}":
        try:
            target.config_file.parent.rmdir()
        except OSError:
            pass  # not empty or already gone: leave it
    if victims and not dry_run:
        print("Removed. Close and reopen Excel for the ribbon tab to disappear.")
    return 0


def do_status(addin: Path, target: Target) -> int:
    print(f"Python: {sys.executable}")
    problems = check_python(addin, target)
    print("Python environment: " + ("OK" if not problems else "PROBLEMS"))
    for p in problems:
        print(f"  - {p}")
    if target.platform == "linux":
        print("Excel: not available on Linux (the add-in is for Windows and Mac).")
        return 1 if problems else 0
    print(f"Excel: {'found' if target.excel_found() else 'NOT FOUND'}")
    assert target.startup_dir is not None and target.config_file is not None
    dest = target.startup_dir / addin.name
    if not dest.is_file():
        print(f"Add-in: not installed ({dest})")
    elif addin.is_file() and not filecmp.cmp(addin, dest, shallow=False):
        print(f"Add-in: installed but OUTDATED ({dest}); run install again")
    else:
        print(f"Add-in: installed ({dest})")
    if target.config_file.is_file():
        print(f"Config: {target.config_file}")
        for line in target.config_file.read_text(encoding="utf-8").splitlines():
            print(f"  {line}")
    else:
        print(f"Config: missing ({target.config_file})")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("install", "uninstall", "status"))
    parser.add_argument("--dry-run", action="store_true", help="show the changes, make none")
    parser.add_argument("--addin", type=Path, default=DEFAULT_ADDIN, help="the .xlam to install")
    parser.add_argument(
        "--platform", choices=("windows", "mac", "linux"), default=current_platform()
    )
    args = parser.parse_args(argv)
    if args.platform != current_platform() and args.command != "status" and not args.dry_run:
        parser.error("--platform other than this computer's needs --dry-run")
    target = Target(args.platform, Path.home(), dict(os.environ))
    if args.command == "install":
        return do_install(args.addin.resolve(), target, args.dry_run)
    if args.command == "uninstall":
        return do_uninstall(args.addin.resolve(), target, args.dry_run)
    return do_status(args.addin.resolve(), target)


if __name__ == "__main__":
    raise SystemExit(main())
