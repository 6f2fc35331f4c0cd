"""The numbers on the pack are the engine's numbers, in the right places and formats."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from evr_xl.boardpack import headline
from evr_xl.boardpack.render import appendix_name
from evr_xl.boardpack.style import money_format, money_text


def _rows_below(ws, header_text: str) -> tuple[list[str], list[tuple]]:
    """The header cells and data rows of the table whose first header cell is header_text."""
    for row in ws.iter_rows():
        if row[0].value == header_text:
            headers = [c.value for c in row if c.value is not None]
            out = []
            for r in ws.iter_rows(min_row=row[0].row + 1, values_only=True):
                if r[0] is None:
                    break
                out.append(r[: len(headers)])
            return headers, out
    raise AssertionError(f"no table starting with {header_text!r} on {ws.title}")


def _tile(ws, label_start: str):
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str) and c.value.startswith(label_start):
                return ws.cell(row=c.row + 1, column=c.column)
    raise AssertionError(f"no tile {label_start!r} on {ws.title}")


@pytest.fixture(scope="module")
def wb(demo_pack):
    return load_workbook(demo_pack.path)


def test_headline_matches_the_product_example() -> None:
    program = SimpleNamespace(
        currency="USD", realized_to_date=41.2e6, value_promise=100e6, value_at_risk=7.5e6,
        n_slipping_milestones=6, risk_exposure=0.0,
    )  # fmt: skip
    line = headline(SimpleNamespace(program=program), n_open_risks=0)
    assert line == "$41.2M of $100.0M realized; $7.5M at risk from 6 slipping milestones"


def test_cover_headline_and_tiles_equal_engine(wb, demo_results, demo_pack) -> None:
    p = demo_results.program
    ws = wb["Cover"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert demo_pack.headline in texts
    assert demo_pack.headline.startswith(
        f"{money_text(p.realized_to_date, 'USD')} of {money_text(p.value_promise, 'USD')} realized"
    )
    assert _tile(ws, "Value RAG").value == p.rag
    m = money_format("USD")
    for label, value in (
        ("Value promise", p.value_promise),
        ("Realized to date", p.realized_to_date),
        ("Forecast exit run-rate", p.forecast_exit_run_rate),
        ("Value at risk", p.value_at_risk),
        ("Net value", p.net_value),
    ):
        cell = _tile(ws, label)
        assert cell.value == pytest.approx(value), label
        assert cell.number_format == m
    assert m == '"$"#,##0.0,,"M";-"$"#,##0.0,,"M"'


def test_bridge_steps_add_up(wb, demo_results) -> None:
    p = demo_results.program
    _, rows = _rows_below(wb["Value bridge"], "Step")
    amounts = {r[0]: r[1] for r in rows}
    assert amounts["Value promise"] == pytest.approx(p.value_promise)
    assert amounts["Reconciliation gap"] == pytest.approx(-p.reconciliation_gap)
    assert amounts["Driver targets"] == pytest.approx(p.sum_targets)
    assert amounts["Forecast exit run-rate"] == pytest.approx(p.forecast_exit_run_rate)
    assert amounts["Value at risk"] == pytest.approx(-p.value_at_risk)
    assert (
        amounts["Value promise"] + amounts["Reconciliation gap"]
        + amounts["Run-rate lost to slippage and performance"] + amounts["Value at risk"]
    ) == pytest.approx(amounts["Forecast net of value at risk"])  # fmt: skip


def test_scorecard_equals_workstream_metrics(wb, demo_results) -> None:
    headers, rows = _rows_below(wb["Workstreams"], "Workstream")
    w = demo_results.workstreams
    assert [r[0] for r in rows] == list(w["workstream_id"])
    for r in rows:
        expected = w.loc[r[0]]
        assert r[3] == pytest.approx(expected["task_completion_pct"])
        assert r[4] == pytest.approx(expected["value_realization_pct"])
        assert r[6] == expected["rag"]
        assert r[7] == pytest.approx(expected["value_at_risk"])
        assert (r[9] == "Yes") == bool(expected["green_on_tasks_red_on_value"])
    assert any(r[9] == "Yes" for r in rows), "the demo has a green-on-tasks, red-on-value one"


def test_value_at_risk_page_lists_the_top_drivers(wb, demo_results) -> None:
    _, rows = _rows_below(wb["Value at risk"], "Driver")
    d = demo_results.drivers
    top = d[d["value_at_risk"] > 0].sort_values(
        ["value_at_risk", "driver_id"], ascending=[False, True]
    )  # ties: by driver ID
    top = top.head(10)
    assert [r[0] for r in rows] == list(top["driver_id"])
    assert [r[5] for r in rows] == pytest.approx(list(top["slippage_var"]))
    assert [r[6] for r in rows] == pytest.approx(list(top["performance_var"]))
    assert [r[7] for r in rows] == pytest.approx(list(top["risk_exposure"]))
    assert [r[8] for r in rows] == pytest.approx(list(top["value_at_risk"]))
    _, items = _rows_below(wb["Value at risk"], "Item")
    assert items[0][0] == demo_results.slipping_items.iloc[0]["item_id"]


def _page_rows(wb, sheet: str, header_text: str) -> list[tuple]:
    """A page table's rows, with those its appendix sheet holds when it was cut."""
    _, rows = _rows_below(wb[sheet], header_text)
    if appendix_name(sheet) in wb.sheetnames:
        rows += _rows_below(wb[appendix_name(sheet)], header_text)[1]
    return rows


def test_trajectory_equals_engine(wb, demo_results) -> None:
    rows = _page_rows(wb, "Trajectory", "Period")
    t = demo_results.trajectory
    assert [r[0] for r in rows] == list(t["label"])
    for r, (_, e) in zip(rows, t.iterrows(), strict=True):
        assert r[4] == pytest.approx(e["cumulative_plan"])
        assert r[6] == pytest.approx(e["cumulative_forecast"])
        if math.isnan(e["cumulative_actual"]):
            assert r[5] is None  # after the as-of period: empty, not 0
        else:
            assert r[5] == pytest.approx(e["cumulative_actual"])


def test_decisions_list_every_red_driver_with_its_owner(wb, demo_results) -> None:
    rows = _page_rows(wb, "Decisions", "Driver")
    red = demo_results.drivers[demo_results.drivers["rag"] == "Red"]
    assert sorted(r[0] for r in rows) == sorted(red["driver_id"])
    for r in rows:
        assert r[3] == (red.loc[r[0], "owner"] or "(no owner)")
        assert r[10]  # a decision is asked for


def test_traceability_counts_equal_findings(wb, demo_pack) -> None:
    rows = _page_rows(wb, "Traceability", "Code")
    by_code = {r[0]: r[3] for r in rows}
    assert sum(by_code.values()) == len(demo_pack.findings)
    errors = [f for f in demo_pack.findings if f.severity.value == "Error"]
    assert _tile(wb["Traceability"], "Errors").value == len(errors)
