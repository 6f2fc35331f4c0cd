"""Signs typed against a driver's category: a dis-benefit typed negative is the loss it is,
never a benefit (SG001); a benefit's negative target is read as typed and flagged (SG002)."""

from __future__ import annotations

import pytest
from programs import program

from evr_xl.checks import run_checks
from evr_xl.engine import compute

REGISTER = """
    driver_id | category       | target    | ramp_start | full_run_rate_by
    VD-1      | Cost synergy   | 1,200,000 | 2026-01    | 2026-01
    VD-2      | Dis-benefit    | {loss}    | 2026-01    | 2026-01
"""


def test_a_dis_benefit_typed_negative_is_the_same_loss_as_typed_positive() -> None:
    positive = program(drivers_table=REGISTER.format(loss="600,000"))
    negative = program(drivers_table=REGISTER.format(loss="-600,000"))
    a, b = compute(positive), compute(negative)
    assert b.program.sum_targets == pytest.approx(a.program.sum_targets) == 600_000
    assert b.drivers.loc["VD-2", "target"] == -600_000  # a loss, not a +600,000 benefit
    (f,) = [f for f in run_checks(negative, b) if f.code == "SG001"]
    assert f.where == "Value Drivers!C6" and f.severity.value == "Warning"
    assert "read as a loss of USD 600,000" in f.message
    assert not [f for f in run_checks(positive, a) if f.code.startswith("SG")]


def test_a_dis_benefit_actual_typed_negative_is_still_a_cost() -> None:
    data = program(
        drivers_table=REGISTER.format(loss="600,000"),
        actuals_table="""
            driver_id | period  | realized
            VD-2      | 2026-06 | -50,000
        """,
    )
    r = compute(data)
    assert r.drivers.loc["VD-2", "realized_to_date"] == -50_000  # a cost of 50,000
    (f,) = [f for f in run_checks(data, r) if f.code == "SG001"]
    assert f.cell.sheet == "Actuals"


def test_a_negative_target_on_a_benefit_is_read_as_typed_and_flagged() -> None:
    data = program(
        drivers_table="""
            driver_id | category       | target   | ramp_start | full_run_rate_by
            VD-1      | Cost avoidance | -300,000 | 2026-01    | 2026-01
        """
    )
    r = compute(data)
    assert r.program.sum_targets == -300_000
    (f,) = [f for f in run_checks(data, r) if f.code == "SG002"]
    assert f.where == "Value Drivers!C5" and "Cost avoidance" in f.message
