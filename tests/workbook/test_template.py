"""The template generator: the committed template matches the code, and follows the contract."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from evr_xl.workbook import layout
from evr_xl.workbook.layout import COLOURS, FORMATS, INPUT_TABLES, Kind
from evr_xl.workbook.template import (
    DEFAULT_PLAN_PERIODS,
    TEMPLATE_PATH,
    VALIDATION_ROWS,
    build_template,
    build_workbook,
    write_workbook,
)
from evr_xl.xlsx.golden import dump_workbook

COMMITTED = Path(__file__).resolve().parents[2] / "workbook_templates" / "evr_program_template.xlsx"
CELL_REF = re.compile(r"^[A-Za-z]{1,3}\d+$|^[Rr]\d*[Cc]\d*$")
LEGAL_NAME = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.]*$")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build_template(tmp_path_factory.mktemp("tpl") / "template.xlsx")


@pytest.fixture(scope="module")
def wb(template) -> openpyxl.Workbook:
    return openpyxl.load_workbook(template)


def _validations(ws):
    """(formula1 or None, set of ranges) for every data validation of a sheet."""
    return [
        (dv.formula1, {str(r) for r in dv.sqref.ranges}, dv)
        for dv in ws.data_validations.dataValidation
    ]


def _list_values(wb, formula: str) -> list:
    """The values a dropdown formula (a defined name) offers, read from the workbook itself."""
    dn = wb.defined_names[formula]
    ((sheet, ref),) = list(dn.destinations)
    return [c.value for row in wb[sheet][ref.replace("$", "")] for c in row]


def test_committed_template_matches_generator(template):
    assert TEMPLATE_PATH == COMMITTED
    assert COMMITTED.is_file(), "run: python -m evr_xl.workbook.template"
    assert dump_workbook(COMMITTED) == dump_workbook(template), (
        "workbook_templates/evr_program_template.xlsx is stale: "
        "run python -m evr_xl.workbook.template"
    )


def test_dump_is_stable_across_saves(tmp_path, template):
    again = build_template(tmp_path / "again.xlsx")
    assert dump_workbook(again) == dump_workbook(template)


def test_sheets_start_here_first_inputs_in_order_lists_hidden_no_outputs(wb):
    expected = [layout.START_HERE, *(t.sheet for t in INPUT_TABLES), layout.LISTS_SHEET]
    assert wb.sheetnames == expected
    assert wb.active.title == layout.START_HERE
    assert wb[layout.LISTS_SHEET].sheet_state == "hidden"
    assert not set(layout.OUTPUT_SHEET_NAMES) & set(wb.sheetnames)
    assert all(len(name) <= 31 and not set("[]:*?/\\") & set(name) for name in wb.sheetnames)


@pytest.mark.parametrize("table", INPUT_TABLES, ids=lambda t: t.sheet)
def test_each_input_sheet_has_its_table_with_contract_headers(wb, table):
    ws = wb[table.sheet]
    assert list(ws.tables) == [table.name]
    xl_table = ws.tables[table.name]
    hr = table.header_row
    first, last = xl_table.ref.split(":")
    assert first == f"A{hr}"
    assert int(re.sub(r"[A-Z]", "", last)) >= hr + 1  # header + at least one row
    headers = [c.name for c in xl_table.tableColumns]
    assert headers[: len(table.columns)] == [c.header for c in table.columns]
    assert [ws.cell(hr, i + 1).value for i in range(len(headers))] == headers
    assert len({h.lower() for h in headers}) == len(headers)
    assert ws.freeze_panes in (f"A{hr + 1}", f"B{hr + 1}")
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws["A1"].value == table.sheet and table.purpose in ws["A2"].value
    for i, column in enumerate(table.columns, start=1):
        header = ws.cell(hr, i)
        assert header.fill.fgColor.rgb.endswith(COLOURS["header"]) and header.font.b
        if table is not layout.PROGRAM:
            assert ws.cell(hr - 1, i).value == ("required" if column.required else None)
            assert ws.cell(hr + 1, i).fill.fgColor.rgb.endswith(COLOURS["input"])
            assert column.help in header.comment.text
            assert header.comment.text.startswith("Required." if column.required else "Optional.")
            assert ws.column_dimensions[header.column_letter].width == column.width


def test_table_and_defined_names_are_legal_and_unique(wb):
    table_names = [name for ws in wb.worksheets for name in ws.tables]
    names = table_names + list(wb.defined_names)
    assert len({n.lower() for n in names}) == len(names)
    for name in names:
        assert LEGAL_NAME.match(name) and not CELL_REF.match(name), name


def test_every_choice_and_yes_no_column_has_its_dropdown(wb):
    for table in INPUT_TABLES:
        if table is layout.PROGRAM:
            continue
        ws = wb[table.sheet]
        for i, column in enumerate(table.columns, start=1):
            if not column.choices:
                continue
            letter = openpyxl.utils.get_column_letter(i)
            rng = f"{letter}{table.header_row + 1}:{letter}{table.header_row + VALIDATION_ROWS}"
            found = [(f, dv) for f, ranges, dv in _validations(ws) if rng in ranges]
            assert len(found) == 1, (table.sheet, column.header)
            formula, dv = found[0]
            assert dv.type == "list" and dv.errorStyle == "stop"
            assert [str(v) for v in _list_values(wb, formula)] == list(column.choices)


def test_id_columns_drop_down_the_source_tables_ids(wb):
    seen = 0
    for table in INPUT_TABLES:
        for i, column in enumerate(table.columns, start=1):
            if not column.list_source:
                continue
            source = layout.TABLES_BY_SHEET[column.list_source]
            letter = openpyxl.utils.get_column_letter(i)
            (formula,) = [
                f
                for f, ranges, _ in _validations(wb[table.sheet])
                if f"{letter}5:{letter}2004" in ranges
            ]
            dn = wb.defined_names[formula]
            id_col = [c.key for c in source.columns].index(source.id_key) + 1
            id_letter = openpyxl.utils.get_column_letter(id_col)
            assert list(dn.destinations) == [
                (
                    source.sheet,
                    f"${id_letter}${source.header_row + 1}:${id_letter}${source.header_row + VALIDATION_ROWS}",
                )
            ]
            seen += 1
    assert seen == 7  # Value Plan, Forecast, Workplan x2, Actuals, Costs x2 (driver, workstream)


def test_messages_and_titles_fit_excel_limits(wb):
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            assert len(dv.prompt or "") <= 255 and len(dv.error or "") <= 255
            assert len(dv.promptTitle or "") <= 32 and len(dv.errorTitle or "") <= 32
            assert dv.formula1 is None or len(dv.formula1) <= 255


def test_program_sheet_lists_every_setting_with_defaults(wb):
    ws = wb["Program"]
    hr = layout.PROGRAM.header_row
    validations = _validations(ws)
    for i, setting in enumerate(layout.PROGRAM_SETTINGS):
        row = hr + 1 + i
        assert ws.cell(row, 1).value == setting.label
        assert ws.cell(row, 1).font.b == setting.required
        assert ws.cell(row, 2).value == setting.default
        assert ws.cell(row, 2).fill.fgColor.rgb.endswith(COLOURS["input"])
        help_text = ws.cell(row, 3).value
        assert help_text.startswith("Required. ") == setting.required and setting.help in help_text
        if setting.kind in FORMATS:
            assert ws.cell(row, 2).number_format == FORMATS[setting.kind]
        lists = [f for f, ranges, dv in validations if f"B{row}" in ranges and dv.type == "list"]
        if setting.choices:
            assert [str(v) for v in _list_values(wb, lists[0])] == list(setting.choices)
        else:
            assert lists == []
    assert ws.tables["tblProgram"].ref == f"A{hr}:C{hr + len(layout.PROGRAM_SETTINGS)}"


def test_stage_gates_carry_the_defaults(wb):
    ws = wb["Stage Gates"]
    got = [tuple(c.value for c in row) for row in ws.iter_rows(min_row=5, max_row=10, max_col=4)]
    assert got == list(layout.DEFAULT_STAGE_GATES)
    assert ws["D5"].number_format == FORMATS[Kind.PERCENT]


def test_value_plan_has_a_column_per_default_month(wb):
    ws = wb["Value Plan"]
    headers = [c.value for c in ws[4]]
    assert headers == ["Driver ID", *DEFAULT_PLAN_PERIODS]
    assert DEFAULT_PLAN_PERIODS[0] == "2026-01" and DEFAULT_PLAN_PERIODS[-1] == "2028-12"
    assert ws.page_setup.fitToWidth == 3 and ws.print_title_cols == "$A:$A"


def test_start_here_explains_sheets_legend_outputs_and_next_steps(wb):
    ws = wb[layout.START_HERE]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    for table in INPUT_TABLES:
        assert table.purpose in text and table.how_to in text
    for out in layout.OUTPUT_SHEETS:
        assert out.sheet in text
    for _, meaning in layout.Legend().items:
        assert meaning in text
    for command in ("evr check", "evr refresh", "evr boardpack"):
        assert command in text
    fills = {c.fill.fgColor.rgb[-6:] for row in ws.iter_rows() for c in row if c.fill.fill_type}
    assert {COLOURS[k] for k, _ in layout.Legend().items} <= fills
    links = {c.hyperlink.location for row in ws.iter_rows() for c in row if c.hyperlink}
    assert {f"'{t.sheet}'!A1" for t in INPUT_TABLES} <= links


# --- filled workbooks (the demo and tests write programmes through the same code) ------------


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    rows = {
        "Workstreams": [{"workstream_id": "WS-PROC", "name": "Procurement"}],
        "Value Drivers": [
            {
                "driver_id": "VD-001",
                "name": "Spend",
                "workstream_id": "WS-PROC",
                "target": 1_000_000,
                "ramp_start": date(2026, 3, 1),
                "full_run_rate_by": "2026-12",
                "finance_validated": True,
                "baseline": None,
                "notes": "=HYPERLINK(1)",
            },
            {"driver_id": "VD-002", "finance_validated": False, "stage": "L2"},
        ],
        "Workplan": [{"item_id": "WP-1", "enables": ("VD-001", "VD-002"), "pct_complete": 0.45}],
        "Value Plan": [{"driver_id": "VD-001", "2026-Q2": 250.0}],
    }
    settings = {"name": "Demo PMI", "value_promise": 1e8, "first_period": date(2026, 4, 1)}
    return write_workbook(
        tmp_path_factory.mktemp("filled") / "p.xlsx",
        rows,
        settings,
        value_plan_periods=["2026-Q1", "2026-Q2"],
    )


def test_filled_values_are_written_in_excel_form(filled):
    wb = openpyxl.load_workbook(filled)
    vd = wb["Value Drivers"]
    assert vd.tables["tblValueDrivers"].ref == "A4:R6"
    assert vd["A5"].value == "VD-001" and vd["K5"].value == 1_000_000
    assert vd["K5"].number_format == FORMATS[Kind.MONEY]
    assert vd["L5"].value.date() == date(2026, 3, 1) and vd["L5"].number_format == "yyyy-mm"
    assert vd["M5"].value == "2026-12"  # period text stays text
    assert (vd["P5"].value, vd["P6"].value) == ("Yes", "No")
    assert vd["I5"].value is None
    assert vd["R5"].value == "=HYPERLINK(1)" and vd["R5"].data_type == "s"  # never a formula
    wp = wb["Workplan"]
    assert wp["L5"].value == "VD-001, VD-002"
    assert wp["J5"].value == 0.45 and wp["J5"].number_format == "0%"
    plan = wb["Value Plan"]
    assert [c.value for c in plan[4]] == ["Driver ID", "2026-Q1", "2026-Q2"]
    assert plan["C5"].value == 250 and plan.tables["tblValuePlan"].ref == "A4:C5"
    program = wb["Program"]
    assert program["B5"].value == "Demo PMI" and program["B6"].value == "PMI"
    assert program["B10"].value.date() == date(2026, 4, 1)
    assert program["B10"].number_format == "yyyy-mm"


def test_filled_workbook_reads_back_with_calamine(filled):
    """A second, independent reader sees the same cells."""
    book = CalamineWorkbook.from_path(str(filled))
    vd = book.get_sheet_by_name("Value Drivers").to_python()
    assert vd[3][:3] == ["Driver ID", "Name", "Workstream ID"]
    assert vd[4][:3] == ["VD-001", "Spend", "WS-PROC"] and vd[4][15] == "Yes"
    assert vd[4][17] == "=HYPERLINK(1)"


def test_bad_rows_and_settings_are_refused():
    with pytest.raises(ValueError, match="unknown keys"):
        build_workbook({"Risks": [{"risk_id": "R-1", "colour": "red"}]})
    with pytest.raises(ValueError, match="unknown sheets"):
        build_workbook({"Dashboard": []})
    with pytest.raises(ValueError, match="unknown settings"):
        build_workbook(settings={"nam": "x"})
    with pytest.raises(ValueError, match="settings"):
        build_workbook({"Program": []})


def test_stage_gates_rows_replace_the_defaults():
    wb = build_workbook({"Stage Gates": [{"stage": "L0", "weight": 0.2}]})
    ws = wb["Stage Gates"]
    assert (ws["A5"].value, ws["D5"].value, ws["A6"].value) == ("L0", 0.2, None)
    assert ws.tables["tblStageGates"].ref == "A4:D5"


def test_many_rows_extend_the_dropdowns_beyond_the_data():
    rows = [{"driver_id": f"VD-{i:04d}"} for i in range(VALIDATION_ROWS)]
    wb = build_workbook({"Value Drivers": rows})
    last = 4 + VALIDATION_ROWS + 500
    assert wb.defined_names["idsValueDrivers"].attr_text == f"'Value Drivers'!$A$5:$A${last}"
    ranges = {r for _, rs, _ in _validations(wb["Value Drivers"]) for r in rs}
    assert f"D5:D{last}" in ranges


def test_list_validations_are_stored_as_excel_writes_them(template):
    """Excel stores a list source as `lstStage` in <formula1>, without the `=` typed in its dialog."""
    import zipfile

    with zipfile.ZipFile(template) as z:
        xml = "".join(
            z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/sheet")
        )
    formulas = re.findall(r"<formula1>(.*?)</formula1>", xml)
    assert formulas, "the template has dropdowns"
    assert "lstStage" in formulas
    assert not [f for f in formulas if f.startswith("=")]
