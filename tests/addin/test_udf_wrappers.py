"""The worksheet-function wrappers the add-in carries: what xlwings generates, one per UDF."""

from __future__ import annotations

import ast
import inspect
import re
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from evr_xl.excel.addin import build, udf_wrappers
from evr_xl.excel.addin.vbaproject import read_modules, to_crlf
from evr_xl.excel.xlwings_linux import windows_udfs

FUNCTION_LINE = re.compile(r"^Function (\w+)\((.*)\)$", re.M)


@pytest.fixture(scope="module")
def generated() -> str:
    """The wrapper module as xlwings generates it now."""
    return udf_wrappers.wrapper_source()


@pytest.fixture(scope="module")
def committed() -> str:
    return udf_wrappers.WRAPPER_PATH.read_bytes().decode("cp1252")


@pytest.fixture(scope="module")
def udf_signatures() -> Iterator[dict[str, inspect.Signature]]:
    """Each function xlwings' real decorator marked in udfs.evr_functions -> its signature."""
    with windows_udfs(build.UDF_MODULES) as (_xlwings_udfs, module):
        yield {
            name: inspect.signature(getattr(module, name))
            for name in dir(module)
            if hasattr(getattr(module, name), "__xlfunc__")
        }


def test_committed_wrappers_are_what_xlwings_generates(committed: str, generated: str) -> None:
    """Regenerate with `python -m evr_xl.excel.addin.udf_wrappers` when this fails."""
    assert committed == generated
    assert udf_wrappers.WRAPPER_PATH.name == "xlwings_udfs.bas"
    assert build.vba_sources()["xlwings_udfs"] == committed


def test_every_udf_has_exactly_one_wrapper(committed: str, udf_signatures: dict) -> None:
    assert len(udf_signatures) >= 10
    declared = FUNCTION_LINE.findall(committed)
    assert sorted(name for name, _ in declared) == sorted(udf_signatures)
    for name in udf_signatures:
        assert f"Function {name}(" in committed


def test_wrapper_arguments_follow_the_python_signatures(
    committed: str, udf_signatures: dict[str, inspect.Signature]
) -> None:
    """Independent of xlwings' metadata: defaults become Optional, order is kept."""
    declared = dict(FUNCTION_LINE.findall(committed))
    for name, sig in udf_signatures.items():
        expected = [
            ("Optional " if p.default is not p.empty else "") + p.name
            for p in sig.parameters.values()
        ]
        assert declared[name] == ", ".join(expected), name


def test_wrappers_call_the_configured_module_with_the_active_workbook(committed: str) -> None:
    config_modules = dict(build.CONFIG)["UDF Modules"]
    calls = re.findall(r'XLPy\.CallUDF\("([^"]+)", "(\w+)", Array\(.*?\)(, \w+)?', committed)
    assert calls and {module for module, _, _ in calls} == {config_modules}
    in_excel = [wb for _, _, wb in calls if wb]
    assert in_excel and set(in_excel) == {", ActiveWorkbook"}  # xlwings' choice for add-ins
    assert "ThisWorkbook" not in committed


def test_header_is_the_one_xlwings_import_udfs_writes() -> None:
    """The first three writeln calls of xlwings' own import_udfs are our header lines."""
    with windows_udfs(build.UDF_MODULES) as (xlwings_udfs, _module):
        source = textwrap.dedent(inspect.getsource(xlwings_udfs.import_udfs))
    written = [
        node.args[0].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "writeln"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ]
    assert tuple(written[:3]) == udf_wrappers.HEADER
    assert udf_wrappers.HEADER[0] == 'Attribute VB_Name = "xlwings_udfs"'


def test_built_addin_holds_the_wrappers_as_a_source_only_module(
    built_vba: bytes, committed: str
) -> None:
    module = read_modules(built_vba)["xlwings_udfs"]
    assert module.prefix == b"" and not module.document
    assert module.source == to_crlf(committed)


def test_generation_leaves_xlwings_as_it_found_it() -> None:
    """Stand-in modules, decorators, engines and package attributes are all put back."""
    import xlwings as xw

    import udfs
    from evr_xl.excel import xlwings_linux as xl

    def state() -> tuple:
        watched = (*xl.PYWIN32_MODULES, *xl.XLWINGS_WINDOWS_MODULES, xl.UDF_MODULE)
        return (
            {n: sys.modules.get(n) for n in watched},
            {n: getattr(xw, n) for n in ("func", "arg", "ret", "script", "sub")},
            getattr(xw, "udfs", None),
            getattr(udfs, "evr_functions", None),
            [e.name for e in xw.engines],
            xw.engines.active,
        )

    before = state()
    assert udf_wrappers.wrapper_source()
    assert state() == before


def test_check_command_agrees(capsys: pytest.CaptureFixture[str]) -> None:
    assert udf_wrappers.main(["--check"]) == 0
    assert "is what xlwings generates" in capsys.readouterr().out


def test_wrapper_path_is_package_data() -> None:
    """pyproject ships excel/vba/*.bas, so the installed package can build the add-in too."""
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    assert '"excel/vba/*.bas"' in pyproject
    assert udf_wrappers.WRAPPER_PATH.parent == build.VBA_DIR


def test_check_command_reports_a_stale_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "xlwings_udfs.bas"
    stale.write_bytes(b'Attribute VB_Name = "xlwings_udfs"\n')
    monkeypatch.setattr(udf_wrappers, "WRAPPER_PATH", stale)
    assert udf_wrappers.main(["--check"]) == 1
    assert "is stale" in capsys.readouterr().out
    assert stale.read_bytes() == b'Attribute VB_Name = "xlwings_udfs"\n'  # --check writes nothing
