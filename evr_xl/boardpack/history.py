"""Page 7, "Since last SteerCo": how the forecast moved since the previous snapshot.

A snapshot (one per `evr refresh`, kept on the History sheet) is a mapping:

    {"as_of": "2026-05", "taken_at": "2026-05-29T17:02:00" (text or datetime),
     "program": {"realized_to_date": ..., "forecast_in_horizon": ...,
                 "forecast_exit_run_rate": ..., "value_at_risk": ..., "rag": ...},
     "drivers": {"VD-001": {"forecast_in_horizon": ..., "value_at_risk": ...}, ...}}

Programme figures may also sit at the top level; "drivers" may be a list of mappings with a
"driver_id"; "forecast" is accepted for "forecast_in_horizon". The previous steering committee is
the latest snapshot (by as-of, then taken-at) whose as-of period is before the current one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from evr_xl.boardpack import style as st
from evr_xl.boardpack.model import Chart, Column, Page, Series, Table, Text
from evr_xl.boardpack.sheets import SHEETS
from evr_xl.boardpack.values import num, text
from evr_xl.engine import Results

NO_SNAPSHOT = (
    "No previous snapshot yet - run `evr refresh` after each steering committee, so the next "
    "pack can show how the forecast moved."
)
PROGRAMME_FIGURES = (
    ("realized_to_date", "Realized to date"),
    ("forecast_in_horizon", "Forecast in horizon"),
    ("forecast_exit_run_rate", "Forecast exit run-rate (annual)"),
    ("value_at_risk", "Value at risk (horizon)"),
    ("confidence_weighted_forecast", "Confidence-weighted forecast"),
)
MAX_DRIVERS = 15


def _figure(source: Mapping[str, Any], name: str) -> float | None:
    if name in source:
        return num(source[name])
    if name == "forecast_in_horizon" and "forecast" in source:
        return num(source["forecast"])
    return None


def _drivers(snapshot: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    raw = snapshot.get("drivers") or {}
    if isinstance(raw, Mapping):
        return {str(k).strip().casefold(): v for k, v in raw.items() if isinstance(v, Mapping)}
    out = {}
    for row in raw:
        if isinstance(row, Mapping) and row.get("driver_id") is not None:
            out[str(row["driver_id"]).strip().casefold()] = row
    return out


def previous_snapshot(
    history: Sequence[Mapping[str, Any]] | None, as_of: str
) -> Mapping[str, Any] | None:
    """The latest snapshot taken at an earlier as-of period than `as_of`, or None."""
    earlier = [s for s in history or () if str(s.get("as_of", "")) < as_of and s.get("as_of")]
    if not earlier:
        return None
    return max(earlier, key=lambda s: (str(s.get("as_of")), str(s.get("taken_at", ""))))


def _change(now: float | None, then: float | None) -> float | None:
    return None if now is None or then is None else now - then


def history_page(results: Results, history: Sequence[Mapping[str, Any]] | None) -> Page:
    p = results.program
    cur = p.currency
    m = st.money_format(cur)
    k = st.money_format(cur, "K", 0)
    unit, unit_k = st.unit_label(cur), st.unit_label(cur, "K")
    prev = previous_snapshot(history, p.as_of)
    if prev is None:
        return Page(SHEETS[6], "Since the last steering committee", (Text(NO_SNAPSHOT, "callout"),))
    then_label = text(prev.get("as_of"))
    taken = text(prev.get("taken_at", ""))
    programme = prev.get("program") if isinstance(prev.get("program"), Mapping) else prev
    now_fig = p.as_dict()
    prog_rows = []
    for name, label in PROGRAMME_FIGURES:
        then = _figure(programme, name)
        now = num(now_fig.get(name))
        prog_rows.append((label, then, now, _change(now, then)))
    prog = Table(
        "programme_moves",
        (Column("Figure", width=32), Column(f"At {then_label} ({unit})", m, 14),
         Column(f"Now, {p.as_of} ({unit})", m, 14), Column(f"Change ({unit})", m, 14)),
        tuple(prog_rows),
        title=f"Programme: previous snapshot as of {then_label}"
        + (f" (taken {taken})" if taken else ""),
    )  # fmt: skip
    before = _drivers(prev)
    rows = []
    for r in results.drivers.itertuples():
        old = before.get(str(r.driver_id).strip().casefold())
        f_then = _figure(old, "forecast_in_horizon") if old else None
        v_then = _figure(old, "value_at_risk") if old else None
        f_now, v_now = num(r.forecast_in_horizon), num(r.value_at_risk)
        rows.append(
            (f"{text(r.driver_id)} {text(r.name)}", text(r.owner) or "(no owner)", f_then, f_now,
             _change(f_now, f_then), v_then, v_now, _change(v_now, v_then))
        )  # fmt: skip
    moved = [r for r in rows if r[4] is None or abs(r[4]) >= 0.5 or (r[7] or 0) != 0]
    moved.sort(key=lambda r: (r[4] is None, -abs(r[4] or 0.0), r[0]))  # new drivers last
    shown = moved[:MAX_DRIVERS]
    cols = (
        Column("Driver", width=40, wrap=True),
        Column("Owner", width=15),
        Column(f"Forecast then ({unit_k})", k, 12),
        Column(f"Forecast now ({unit_k})", k, 12),
        Column(f"Forecast change ({unit_k})", k, 12),
        Column(f"Value at risk then ({unit_k})", k, 12),
        Column(f"Value at risk now ({unit_k})", k, 12),
        Column(f"Value at risk change ({unit_k})", k, 12),
    )
    more = len(moved) - len(shown)
    drivers = Table(
        "driver_moves",
        cols,
        tuple(shown),
        title=f"Forecast in horizon by driver, {then_label} to {p.as_of} (largest moves first, "
        + "then drivers new since"
        + (f"; {more} more not shown" if more > 0 else "")
        + ")",
        empty_text="No driver's forecast moved.",
    )
    chart = Chart(
        "clustered_bar",
        f"Forecast change by driver since {then_label} ({unit_k})",
        "driver_moves",
        0,
        (Series(4, st.BLUE),),
        y_title=unit_k,
        y_format=k,
        height_cm=max(5.0, 1.0 + 0.6 * len(shown)),
    )
    blocks: tuple = (prog, drivers)
    if shown:
        blocks += (chart,)
    return Page(SHEETS[6], "Since the last steering committee", blocks, width_cols=9)
