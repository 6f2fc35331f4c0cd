"""The numbers on the pack are the engine's numbers, in the right places and formats."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from evr_xl.boardpack.render import appendix_name
from evr_xl.boardpack.style import money_format
from evr_xl.outputs.headline import headline
from evr_xl.units import money


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


def test_headline_compares_like_units_as_the_product_example() -> None:
    by_type = {
        "P&L": {"run_rate_achieved": 68.4e6, "forecast_exit_run_rate": 81.2e6,
                "realized_to_date": 43.4e6, "plan_to_date": 50e6},
        "cash": {"run_rate_achieved": 0.0, "forecast_exit_run_rate": 0.0,
                 "realized_to_date": 25.0e6, "plan_to_date": 28e6},
        "capex": {"run_rate_achieved": 0.0, "forecast_exit_run_rate": 0.0,
                  "realized_to_date": 10.2e6, "plan_to_date": 12.8e6},
    }  # fmt: skip
    program = SimpleNamespace(
        currency="USD", value_promise=100e6, by_value_type=by_type, last_period="2027-12",
        realized_to_date=78.6e6, plan_to_date=90.8e6, realization_pct=78.6 / 90.8,
        realized_unvalidated=13.7e6,
    )  # fmt: skip
    assert headline(program) == (
        "P&L run-rate $68.4M of the $100.0M promise (68%); forecast exit $81.2M at 2027-12; "
        "realized to date $78.6M of $90.8M planned (87%): P&L $43.4M, cash $25.0M, "
        "capex $10.2M; $13.7M not yet validated"
    )


def test_cover_headline_and_tiles_equal_engine(wb, demo_results, demo_pack) -> None:
    p = demo_results.program
    ws = wb["Cover"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert demo_pack.headline in texts
    assert demo_pack.headline == headline(p)
    pnl = p.by_value_type["P&L"]
    assert demo_pack.headline.startswith(
        f"P&L run-rate {money(pnl['run_rate_achieved'], 'USD')} of the "
        f"{money(p.value_promise, 'USD')} promise"
    )
    assert _tile(ws, "Value RAG").value == p.rag
    m = money_format("USD")
    for label, value in (
        ("Value promise", p.value_promise),
        ("P&L run-rate achieved", pnl["run_rate_achieved"]),
        ("Forecast exit run-rate", p.forecast_exit_run_rate),
        ("Gap to promise", p.gap_to_promise),
        ("Value at risk (", p.value_at_risk),
        ("Realized to date", p.realized_to_date),
        ("Net P&L value", p.net_value),
    ):
        cell = _tile(ws, label)
        assert cell.value == pytest.approx(value), label
        assert cell.number_format == m
    assert m == '"$"#,##0.0,,"M";-"$"#,##0.0,,"M"'


def _bridge(ws, title_start: str) -> dict[str, float]:
    """{step: amount} of the bridge table under the title that starts with title_start."""
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str) and c.value.startswith(title_start):
                out = {}
                for r in ws.iter_rows(min_row=c.row + 2, min_col=c.column, max_col=c.column + 1):
                    if r[0].value is None:
                        break
                    out[r[0].value] = r[1].value
                return out
    raise AssertionError(f"no bridge {title_start!r} on {ws.title}")


def test_run_rate_bridge_adds_up_to_the_metrics(wb, demo_metrics_json) -> None:
    p = demo_metrics_json["program"]
    steps = _bridge(wb["Value bridge"], "Run-rate bridge")
    assert steps["Value promise"] == pytest.approx(p["value_promise"])
    assert steps["Recurring targets"] == pytest.approx(p["sum_targets"])
    assert steps["Forecast exit run-rate"] == pytest.approx(p["forecast_exit_run_rate"])
    moves = ("Reconciliation gap", "Ramp beyond the horizon", "Slippage", "Performance")
    assert p["value_promise"] + sum(steps.get(m, 0.0) for m in moves) == pytest.approx(
        p["forecast_exit_run_rate"]
    )
    assert steps["Slippage"] == pytest.approx(
        p["slipped_exit_run_rate"] - p["planned_exit_run_rate"]
    )
    # one unit: nothing cumulative (value at risk is a horizon amount) on the run-rate bridge
    assert not any("risk" in step.lower() for step in steps)


def test_horizon_bridge_adds_up_to_the_metrics(wb, demo_metrics_json) -> None:
    p = demo_metrics_json["program"]
    steps = _bridge(wb["Value bridge"], "Horizon bridge")
    assert steps["Plan in horizon"] == pytest.approx(p["plan_in_horizon"])
    assert steps["Slippage"] == pytest.approx(-p["slippage_var"])
    assert steps["Performance"] == pytest.approx(-p["performance_var"])
    moves = [v for k, v in steps.items() if k not in ("Plan in horizon", "Forecast in horizon")
             and not k.startswith("of which")]  # fmt: skip
    assert p["plan_in_horizon"] + sum(moves) == pytest.approx(p["forecast_in_horizon"])
    parts = [v for k, v in steps.items() if k.startswith("of which")]
    assert sum(parts) == pytest.approx(p["forecast_in_horizon"])
    assert steps["of which: realized to date"] == pytest.approx(p["realized_to_date"])
    assert steps["of which: exposed to open risks"] == pytest.approx(p["risk_exposure"])


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


def test_amounts_under_a_million_never_print_as_zero_millions(wb) -> None:
    """$11k is "$11k", not "$0.0M"; -$11k not "-$0.0M"; the cell keeps the full amount."""
    small = big = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if not isinstance(c.value, (int, float)) or isinstance(c.value, bool):
                    continue
                if ',,"M"' not in c.number_format and ',"k"' not in c.number_format:
                    continue
                if abs(c.value) < 999_500:
                    assert ',,"M"' not in c.number_format, (ws.title, c.coordinate, c.value)
                    small += 1
                else:
                    big += 1
    assert small and big  # the demo has both
