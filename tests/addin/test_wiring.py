"""Static wiring: ribbon button -> VBA procedure -> Python action; config -> importable modules."""

from __future__ import annotations

import importlib
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from evr_xl.excel import ribbon
from evr_xl.excel.addin import build
from evr_xl.excel.addin.customui import NAMESPACE, customui_xml
from evr_xl.excel.addin.vbaproject import read_modules, to_crlf

NS = {"c": NAMESPACE}


def _procedures(source: str) -> dict[str, str]:
    """Public Sub name -> its parameter list, for a VBA module's source."""
    pattern = r"^(?:Public\s+)?Sub\s+(\w+)\s*\(([^)]*)\)"
    return dict(re.findall(pattern, source, flags=re.M | re.I))


def _dispatcher_actions() -> set[str]:
    try:
        actions = importlib.import_module("evr_xl.excel.actions")
    except ImportError:
        return set(ribbon.ACTIONS)
    return set(actions.ACTIONS)


def test_every_button_reaches_a_vba_procedure_and_a_python_action(built: Path) -> None:
    with zipfile.ZipFile(built) as zf:
        root = ET.fromstring(zf.read("customUI/customUI.xml"))
    buttons = root.findall(".//c:button", NS)
    assert [b.get("id") for b in buttons] == [b.action for b in ribbon.BUTTONS]
    sources = build.vba_sources()
    known = _dispatcher_actions()
    for button in buttons:
        module, _, proc = button.get("onAction").partition(".")
        assert module in sources, f"{button.get('id')}: no VBA module {module}"
        params = _procedures(sources[module])
        assert proc in params, f"{button.get('id')}: no Sub {proc} in {module}.bas"
        assert re.fullmatch(r"\w+ As IRibbonControl", params[proc].strip()), params[proc]
        assert button.get("id") in known, f"button {button.get('id')!r} is no dispatcher action"
        assert button.get("imageMso") and button.get("screentip") and button.get("supertip")


def test_ribbon_callback_passes_the_control_id_to_run_action() -> None:
    source = build.vba_sources()[ribbon.VBA_MODULE]
    assert f"Sub {ribbon.VBA_CALLBACK}(control As IRibbonControl)" in source
    assert "RunEvrAction control.Id" in source
    assert (
        """RunPython "import evr_xl.excel.actions as a; a.run_action('" & action & "')\""""
        in source
    )


def test_one_button_and_one_macro_per_action() -> None:
    assert sorted(b.action for b in ribbon.BUTTONS) == sorted(ribbon.ACTIONS)
    procs = _procedures(build.vba_sources()[ribbon.VBA_MODULE])
    for b in ribbon.BUTTONS:
        assert procs.get(b.macro) == "", f"no argument-less macro {b.macro}"
        body = build.vba_sources()[ribbon.VBA_MODULE].split(f"Sub {b.macro}()")[1]
        assert body.split("End Sub")[0].strip() == f'RunEvrAction "{b.action}"'


def test_customui_is_what_the_ribbon_declares(built: Path) -> None:
    with zipfile.ZipFile(built) as zf:
        assert zf.read("customUI/customUI.xml") == customui_xml()
    root = ET.fromstring(customui_xml())
    assert root.find(".//c:tab", NS).get("label") == "Value Realization"


def test_udf_modules_in_config_import() -> None:
    modules = dict(build.CONFIG)["UDF Modules"].split(";")
    for name in modules:
        importlib.import_module(name)


def test_xlwings_and_dictionary_modules_are_the_templates_verbatim(template_vba: bytes) -> None:
    """Licence notices kept: only xlwings' PROJECT_NAME differs, and line ends become CRLF."""
    template = read_modules(template_vba)
    ours = build.vba_sources()
    assert to_crlf(ours["Dictionary"]) == template["Dictionary"].source
    assert "License: MIT" in ours["Dictionary"]
    old = to_crlf(template["xlwings"].source).split("\r\n")
    new = to_crlf(ours["xlwings"]).split("\r\n")
    diff = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    assert diff == [
        (
            'Public Const PROJECT_NAME As String = "myaddin"',
            'Public Const PROJECT_NAME As String = "evr_addin"',
        )
    ]
    assert "'xlwings is distributed under a BSD 3-clause license." in ours["xlwings"]


def test_pinned_xlwings_version_matches_installed() -> None:
    import xlwings

    assert build.pinned_xlwings_version(build.vba_sources()) == xlwings.__version__
