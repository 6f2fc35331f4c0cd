"""Page 7, "Since last SteerCo": how the forecast moved since the previous snapshot.

A snapshot (one per `evr refresh`, kept on the Snapshots sheet) is a mapping:

    {"as_of": "2026-05", "taken_at": "2026-05-29T17:02:00" (text or datetime),
     "note": "" (optional: e.g. computed afterwards from the workbook's data),
     "program": {"target": ..., "realized_to_date": ..., "forecast_in_horizon": ...,
                 "forecast_exit_run_rate": ..., "value_at_risk": ..., "rag": ...},
     "drivers": {"VD-001": {"target": ..., "forecast_in_horizon": ..., "value_at_risk": ...}}}

Programme figures may also sit at the top level; "drivers" may be a list of mappings with a
"driver_id"; "forecast" is accepted for "forecast_in_horizon"; "target" (signed) may be missing
(snapshots of the History sheet, before 2026-12). The previous steering committee is the latest
snapshot (by as-of, then taken-at) whose as-of period is before the current one.

Target changes are not forecast movements. A driver whose target changed (or that was added to or
removed from the register) since the previous snapshot is listed under "Target changes" with its
old and new target, and kept out of the forecast movements: cutting a target lowers the plan value
at risk is measured against, so its value at risk "improves" without any value delivered. The
programme's change in each figure is split the same way: the part from target-changed drivers and
the forecast movement of the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from evr_xl.boardpack import style as st
from evr_xl.boardpack.model import Chart, Column, Page, Series, Table, Text
from evr_xl.boardpack.sheets import SHEETS
from evr_xl.boardpack.values import num, text
from evr_xl.engine import Results
from evr_xl.units import money

NO_SNAPSHOT = (
    "No previous snapshot yet - run `evr refresh` after each steering committee, so the next "
    "pack can show how the forecast moved."
)
PROGRAMME_FIGURES = (
    ("target", "Recurring targets (annual, net)"),
    ("realized_to_date", "Realized to date"),
    ("forecast_in_horizon", "Forecast in horizon"),
    ("forecast_exit_run_rate", "Forecast exit run-rate (annual)"),
    ("value_at_risk", "Value at risk (horizon)"),
    ("confidence_weighted_forecast", "Confidence-weighted forecast"),
)
MAX_DRIVERS = 15
MAX_TARGET_CHANGES = 15
TARGET_TOLERANCE = 0.5  # a target that moved by less is unchanged (rounding)


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


def _key(driver_id: Any) -> str:
    return str(driver_id).strip().casefold()


def _target_changed(old: Mapping[str, Any] | None, target_now: float | None) -> bool:
    """Whether a driver's target moved since the snapshot `old` (None: the driver is new).

    A snapshot without a target (History rows) cannot tell: not a target change.
    """
    if old is None:
        return True
    then = _figure(old, "target")
    return (
        then is not None and target_now is not None and abs(target_now - then) >= TARGET_TOLERANCE
    )


def _split(
    name: str,
    change: float | None,
    changed: list[tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]],
) -> tuple[float | None, float | None]:
    """(part of a programme change from target-changed drivers, forecast movement of the rest).

    `changed`: (then, now) figures of each target-changed driver (None: absent on that side).
    """
    if change is None:
        return None, None
    if name == "target":  # the targets move only by target changes
        return change, 0.0
    part = 0.0
    for old, new in changed:
        then = _figure(old, name) if old is not None else 0.0
        now = _figure(new, name) if new is not None else 0.0
        if then is None or now is None:
            return None, None
        part += now - then
    return part, change - part


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
    note = text(prev.get("note") or "")
    programme = prev.get("program") if isinstance(prev.get("program"), Mapping) else prev
    now_fig = p.as_dict() | {"target": p.sum_targets}

    # Drivers: target changes (re-targeted, added, removed) apart from forecast movements.
    before = _drivers(prev)
    knows_drivers = bool(before)  # a snapshot without drivers cannot tell what is new
    seen: set[str] = set()
    retargeted: list[tuple] = []
    changed_pairs: list[tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]] = []
    moves = []
    for r in results.drivers.itertuples():
        key = _key(r.driver_id)
        seen.add(key)
        old = before.get(key)
        now_row = {n: getattr(r, n) for n in (*(f for f, _ in PROGRAMME_FIGURES), "target")}
        f_then = _figure(old, "forecast_in_horizon") if old else None
        v_then = _figure(old, "value_at_risk") if old else None
        f_now, v_now = num(r.forecast_in_horizon), num(r.value_at_risk)
        label = f"{text(r.driver_id)} {text(r.name)}"
        owner = text(r.owner) or "(no owner)"
        t_now = num(r.target)
        if knows_drivers and _target_changed(old, t_now):
            t_then = _figure(old, "target") if old else None
            retargeted.append(
                (label + ("" if old else " (new since)"), owner, t_then, t_now,
                 _change(t_now, t_then if old else 0.0), _change(f_now, f_then if old else 0.0),
                 _change(v_now, v_then if old else 0.0))
            )  # fmt: skip
            changed_pairs.append((old, now_row))
            continue
        moves.append(
            (label, owner, f_then, f_now, _change(f_now, f_then), v_then, v_now,
             _change(v_now, v_then))
        )  # fmt: skip
    for key, old in before.items():
        if key in seen:
            continue
        ident = text(old.get("driver_id") or key.upper())
        name = text(old.get("name") or "")
        t_then, f_then = _figure(old, "target"), _figure(old, "forecast_in_horizon")
        v_then = _figure(old, "value_at_risk")
        retargeted.append(
            (f"{ident} {name} (removed since)".replace("  ", " "), "", t_then, None,
             _change(0.0, t_then), _change(0.0, f_then), _change(0.0, v_then))
        )  # fmt: skip
        changed_pairs.append((old, None))

    prog_rows = []
    for name, label in PROGRAMME_FIGURES:
        then = _figure(programme, name)
        now = num(now_fig.get(name))
        if name == "target" and then is None:
            continue  # a snapshot from before targets were recorded
        change = _change(now, then)
        from_targets, movement = (
            _split(name, change, changed_pairs) if retargeted else (0.0, change)
        )
        prog_rows.append((label, then, now, change, from_targets, movement))
    prog = Table(
        "programme_moves",
        (Column("Figure", width=32), Column(f"At {then_label} ({unit})", m, 14),
         Column(f"Now, {p.as_of} ({unit})", m, 14), Column(f"Change ({unit})", m, 14),
         Column(f"From target changes ({unit})", m, 14),
         Column(f"Forecast movement ({unit})", m, 14)),
        tuple(prog_rows),
        title=f"Programme: previous snapshot as of {then_label}"
        + (f" (taken {taken})" if taken else "")
        + " - change split into target changes and forecast movement",
    )  # fmt: skip

    moves = [r for r in moves if r[4] is None or abs(r[4]) >= 0.5 or (r[7] or 0) != 0]
    moves.sort(key=lambda r: (r[4] is None, -abs(r[4] or 0.0), r[0]))  # new drivers last
    shown = moves[:MAX_DRIVERS]
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
    more = len(moves) - len(shown)
    drivers = Table(
        "driver_moves",
        cols,
        tuple(shown),
        title=f"Forecast movements by driver, {then_label} to {p.as_of}, same target (largest "
        + "moves first"
        + ("" if knows_drivers else ", then drivers new since")
        + (f"; {more} more not shown" if more > 0 else "")
        + ")",
        empty_text="No driver's forecast moved.",
    )
    retargeted.sort(key=lambda r: (-abs(r[4] or 0.0), r[0]))
    shown_targets = retargeted[:MAX_TARGET_CHANGES]
    more_targets = len(retargeted) - len(shown_targets)
    targets = Table(
        "target_changes",
        (
            Column("Driver", width=40, wrap=True),
            Column("Owner", width=15),
            Column(f"Target then ({unit_k})", k, 12),
            Column(f"Target now ({unit_k})", k, 12),
            Column(f"Target change ({unit_k})", k, 12),
            Column(f"Forecast change ({unit_k})", k, 12),
            Column(f"Value at risk change ({unit_k})", k, 12),
        ),
        tuple(shown_targets),
        title=f"Target changes, {then_label} to {p.as_of}: drivers re-targeted, added or removed "
        + "(their forecast and value at risk moved with the target, not with delivery"
        + (f"; {more_targets} more not shown" if more_targets > 0 else "")
        + ")",
        empty_text="No target changed.",
    )
    chart = Chart(
        "clustered_bar",
        f"Forecast change by driver since {then_label}, same target ({unit_k})",
        "driver_moves",
        0,
        (Series(4, st.BLUE),),
        y_title=unit_k,
        y_format=k,
        height_cm=max(5.0, 1.0 + 0.6 * len(shown)),
    )
    blocks: tuple = ()
    if note:
        blocks += (Text(f"The {then_label} snapshot: {note}", "note"),)
    if retargeted:
        var = next((r for r in prog_rows if r[0] == "Value at risk (horizon)"), None)
        part = var[4] if var is not None else None
        blocks += (
            Text(
                f"{len(retargeted)} driver(s) had their target changed, added or removed since "
                f"{then_label}"
                + (f"; {money(part, cur)} of the change in value at risk comes from them"
                   if part is not None else "")
                + ". A lower target lowers the plan value at risk is measured against: that is "
                "not a forecast improvement. They are listed under Target changes, apart from "
                "the forecast movements.",
                "callout",
            ),
        )  # fmt: skip
    blocks += (prog,) + ((targets,) if knows_drivers else ()) + (drivers,)
    if shown:
        blocks += (chart,)
    return Page(SHEETS[6], "Since the last steering committee", blocks, width_cols=9)
