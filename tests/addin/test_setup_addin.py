"""setup_addin.py with a temporary HOME: what it says, writes and removes on each platform."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from evr_xl.excel.addin import build

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def setup_addin() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("setup_addin", ROOT / "setup_addin.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["setup_addin"] = module  # dataclasses look their module up while executing
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("setup_addin", None)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var in ("APPDATA", "USERPROFILE"):
        monkeypatch.delenv(var, raising=False)
    return home


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_install_without_excel_says_so_and_fails(setup_addin, home, capsys) -> None:
    if setup_addin.current_platform() != "linux":
        pytest.skip("this machine may have Excel")
    assert setup_addin.main(["install"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Excel does not run on Linux: nothing to install here.")
    assert (
        f"[windows] copy the add-in into Excel's start-up folder: {home}/AppData/Roaming/Microsoft/Excel/XLSTART/evr_addin.xlam"
        in out
    )
    assert (
        f"[mac] write the user config (INTERPRETER_MAC, UDF MODULES): {home}/Library/Containers/com.microsoft.Excel/Data/evr_addin.conf"
        in out
    )
    assert _files(home) == set()


def test_dry_run_for_windows_changes_nothing(setup_addin, home, capsys) -> None:
    code = setup_addin.main(["install", "--dry-run", "--platform", "windows"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Would write the user config (INTERPRETER_WIN, UDF MODULES)" in out
    assert (
        "Zone.Identifier" in out
        and "Block all Office applications from creating child processes" in out
    )
    assert _files(home) == set()


def test_other_platform_needs_dry_run(setup_addin, home) -> None:
    other = "mac" if setup_addin.current_platform() != "mac" else "windows"
    with pytest.raises(SystemExit):
        setup_addin.main(["install", "--platform", other])


def test_windows_install_status_uninstall(setup_addin, home, capsys) -> None:
    target = setup_addin.Target("windows", home, {"APPDATA": str(home / "AppData" / "Roaming")})
    xlstart = home / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART"
    xlstart.mkdir(parents=True)  # Excel has run once for this user
    (xlstart / "evr_addin.xlam").write_bytes(b"old")
    zone = Path(f"{xlstart / 'evr_addin.xlam'}:Zone.Identifier")
    zone.write_text("[ZoneTransfer]\nZoneId=3\n")
    addin = build.DEFAULT_OUT

    assert setup_addin.do_install(addin, target, dry_run=False) == 0
    assert (xlstart / "evr_addin.xlam").read_bytes() == addin.read_bytes()
    assert not zone.exists()
    conf = home / ".evr_addin" / "evr_addin.conf"
    assert conf.read_text() == (
        f'"INTERPRETER_WIN","{sys.executable}"\n"UDF MODULES","udfs.evr_functions"\n'
    )
    capsys.readouterr()
    assert setup_addin.do_status(addin, target) == 0
    out = capsys.readouterr().out
    assert f"Add-in: installed ({xlstart / 'evr_addin.xlam'})" in out
    assert "Excel: found" in out and '"UDF MODULES","udfs.evr_functions"' in out

    assert setup_addin.do_uninstall(addin, target, dry_run=True) == 0
    assert conf.exists()
    assert setup_addin.do_uninstall(addin, target, dry_run=False) == 0
    assert _files(home) == set()
    setup_addin.do_status(addin, target)
    assert "Add-in: not installed" in capsys.readouterr().out


def test_mac_install_puts_config_in_excels_container(setup_addin, home) -> None:
    (home / setup_addin.MAC_CONTAINER).mkdir(parents=True)  # Excel has run once
    target = setup_addin.Target("mac", home)
    assert setup_addin.do_install(build.DEFAULT_OUT, target, dry_run=False) == 0
    files = _files(home)
    assert "Library/Containers/com.microsoft.Excel/Data/evr_addin.conf" in files
    assert f"{setup_addin.MAC_STARTUP}/evr_addin.xlam" in files
    assert any(f.startswith(setup_addin.MAC_SCRIPTS + "/xlwings-") for f in files)
    conf = (home / setup_addin.MAC_CONTAINER / "evr_addin.conf").read_text()
    assert conf.startswith('"INTERPRETER_MAC",')


def test_wrong_xlwings_version_is_reported_and_nothing_changes(
    setup_addin, home, monkeypatch, capsys
) -> None:
    import xlwings

    monkeypatch.setattr(xlwings, "__version__", "0.30.0")
    xlstart = home / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART"
    xlstart.mkdir(parents=True)
    target = setup_addin.Target("windows", home, {})
    assert setup_addin.do_install(build.DEFAULT_OUT, target, dry_run=False) == 1
    out = capsys.readouterr().out
    assert "xlwings 0.30.0 is installed but the add-in needs 0.37.8" in out
    assert "Nothing was changed." in out
    assert _files(home) == set()


def test_config_keys_are_the_ones_xlwings_vba_reads(setup_addin) -> None:
    """GetConfig upper-cases sheet keys and compares file keys case-insensitively."""
    source = build.vba_sources()["xlwings"]
    for key in ("INTERPRETER_WIN", "INTERPRETER_MAC", "UDF MODULES"):
        assert f'"{key}"' in source.upper()
    assert '& "\\." & PROJECT_NAME & "\\" & PROJECT_NAME & ".conf"' in source
