"""The layers, written down and enforced on the import graph of evr_xl/ and udfs/.

Every import statement is read with `ast` (also those inside functions), so an import that a
layer must not make fails here with the module, the line and the rule it breaks. docs/architecture.md
draws the same layers. A new package must be given a place in LAYERS before it can be imported.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("evr_xl", "udfs")

# Bottom first. A module may import from its own component and from components of lower layers;
# never from a higher layer, nor from another component of its own layer.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("evr_xl.xlsx", "evr_xl.units", "evr_xl.lo", "evr_xl"),  # file format; plain helpers
    ("evr_xl.model",),  # records, periods, closed lists
    ("evr_xl.findings",),  # Finding, Severity, the catalogue
    ("evr_xl.engine",),  # metrics: pure pandas
    ("evr_xl.checks",),  # traceability checks
    ("evr_xl.workbook", "evr_xl.store"),  # the workbook contract and reader; the store (to come)
    ("evr_xl.outputs",),  # output sheets described from results, written to a file
    ("evr_xl.refresh",),  # analyse and refresh: joins workbook, engine, checks, outputs
    ("evr_xl.boardpack", "evr_xl.portfolio"),  # reports over an analysis
    ("evr_xl.excel", "evr_xl.demo"),  # the live-Excel adapter and add-in; the demo generator
    ("evr_xl.cli", "udfs"),  # entry points: the command line, the worksheet functions
)

CORE = ("evr_xl.model", "evr_xl.findings", "evr_xl.engine", "evr_xl.checks")
IO = (
    "openpyxl",
    "xlwings",
    "python_calamine",
    "evr_xl.xlsx",
    "evr_xl.workbook",
    "evr_xl.excel",
    "evr_xl.lo",
)
WORKBOOK_READING = (
    "python_calamine",
    "evr_xl.workbook.reader",
    "evr_xl.workbook.tables",
    "evr_xl.workbook.settings",
    "evr_xl.workbook.wide",
    "evr_xl.workbook.files",
    "evr_xl.workbook.cells",
    "evr_xl.xlsx.package",
    "evr_xl.xlsx.sheetscan",
    "evr_xl.xlsx.parts",
    "evr_xl.xlsx.writer",
)

# (rule, who it binds, what they must not import); "who" and "what" are module name prefixes.
FORBIDDEN: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("model, findings, engine and checks do no I/O", CORE, IO),
    ("evr_xl.xlsx imports nothing from the rest of evr_xl", ("evr_xl.xlsx",), ("evr_xl",)),
    ("the board pack reads results, never workbooks", ("evr_xl.boardpack",), WORKBOOK_READING),
)
# (rule, the library, the only modules that may import it)
ONLY: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("only udfs/ and evr_xl/excel/ import xlwings", "xlwings", ("udfs", "evr_xl.excel")),
    (
        "only evr_xl.workbook.files reads files with python_calamine",
        "python_calamine",
        ("evr_xl.workbook.files",),
    ),
)


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. evr_xl.outputs.sheets
    where: str  # its file and line, e.g. evr_xl/outputs/sheets.py:24
    target: str  # the imported module, e.g. evr_xl.xlsx.sheet


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def component(module: str) -> str | None:
    """The most specific component of LAYERS that `module` belongs to."""
    found = [c for layer in LAYERS for c in layer if within(module, c)]
    return max(found, key=len, default=None)


def layer_of(comp: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if comp in layer)


def module_files() -> dict[str, Path]:
    files = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return files


def imports() -> list[Import]:
    """Every import in evr_xl/ and udfs/, resolved to the module it loads."""
    files = module_files()
    found = []
    for module, path in files.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        where = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                # `from package import module` loads the module; `from module import name` the module
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names
                ]
            else:
                continue
            found += [Import(module, f"{where}:{node.lineno}", t) for t in dict.fromkeys(targets)]
    return found


def violations(found: list[Import]) -> list[str]:
    """What breaks a rule, one readable line each."""
    out = []
    for imp in found:
        source, target = component(imp.module), component(imp.target)
        line = f"{imp.where}: {imp.module} imports {imp.target}"
        if source is None:
            out.append(f"{line} — {imp.module} has no place in LAYERS (tests/test_layers.py)")
            continue
        if target is not None and target != source:
            below, above = layer_of(source), layer_of(target)
            if above > below:
                out.append(f"{line} — {source} must not import {target}, a layer above it")
            elif above == below:
                out.append(
                    f"{line} — {source} and {target} are one layer: neither imports the other"
                )
        for rule, who, what in FORBIDDEN:  # a component may always import itself
            if target != source and any(within(imp.module, w) for w in who):
                if any(within(imp.target, x) for x in what):
                    out.append(f"{line} — breaks '{rule}'")
        for rule, library, allowed in ONLY:
            if within(imp.target, library) and not any(within(imp.module, a) for a in allowed):
                out.append(f"{line} — breaks '{rule}'")
    return out


def test_the_code_keeps_its_layers() -> None:
    problems = violations(imports())
    assert not problems, "Imports that break the layers:\n  " + "\n  ".join(problems)


def test_every_package_has_a_layer() -> None:
    missing = sorted({m for m in module_files() if component(m) is None})
    assert not missing, f"give these a place in LAYERS (tests/test_layers.py): {missing}"


def test_the_rules_catch_what_they_are_for() -> None:
    def imp(module: str, target: str) -> Import:
        return Import(module, f"{module.replace('.', '/')}.py:1", target)

    found = violations(
        [
            imp("evr_xl.engine.metrics", "openpyxl"),
            imp("evr_xl.xlsx.sheet", "evr_xl.workbook.layout"),
            imp("evr_xl.boardpack.pages", "evr_xl.workbook.reader"),
            imp("evr_xl.outputs.sheets", "xlwings"),
            imp("evr_xl.workbook.reader", "evr_xl.outputs.sheets"),
            imp("evr_xl.boardpack.build", "evr_xl.portfolio"),
            imp("evr_xl.outputs.sheets", "evr_xl.xlsx.sheet"),  # allowed: a layer below
        ]
    )
    assert found == [
        "evr_xl/engine/metrics.py:1: evr_xl.engine.metrics imports openpyxl"
        " — breaks 'model, findings, engine and checks do no I/O'",
        "evr_xl/xlsx/sheet.py:1: evr_xl.xlsx.sheet imports evr_xl.workbook.layout"
        " — evr_xl.xlsx must not import evr_xl.workbook, a layer above it",
        "evr_xl/xlsx/sheet.py:1: evr_xl.xlsx.sheet imports evr_xl.workbook.layout"
        " — breaks 'evr_xl.xlsx imports nothing from the rest of evr_xl'",
        "evr_xl/boardpack/pages.py:1: evr_xl.boardpack.pages imports evr_xl.workbook.reader"
        " — breaks 'the board pack reads results, never workbooks'",
        "evr_xl/outputs/sheets.py:1: evr_xl.outputs.sheets imports xlwings"
        " — breaks 'only udfs/ and evr_xl/excel/ import xlwings'",
        "evr_xl/workbook/reader.py:1: evr_xl.workbook.reader imports evr_xl.outputs.sheets"
        " — evr_xl.workbook must not import evr_xl.outputs, a layer above it",
        "evr_xl/boardpack/build.py:1: evr_xl.boardpack.build imports evr_xl.portfolio"
        " — evr_xl.boardpack and evr_xl.portfolio are one layer: neither imports the other",
    ]


PROBE = """
import sys
import evr_xl.engine, evr_xl.checks
bad = sorted(m for m in sys.modules if m.split('.')[0] in ('openpyxl', 'xlwings', 'python_calamine'))
print(','.join(bad))
"""


def test_engine_and_checks_load_no_excel_library() -> None:
    """What the static rules say, seen at run time: importing the core loads no file library."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == ""
