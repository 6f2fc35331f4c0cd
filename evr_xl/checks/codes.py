"""The traceability finding codes, registered in evr_xl.findings.CATALOGUE.

Codes are stable: never reuse or renumber one. TR = traceability (IDs, links between work and
value, accountability), TM = timing, RC = reconciliation, ST = stage gates, AC = actuals.
docs/findings.md has one section per code.
"""

from __future__ import annotations

from evr_xl.findings import Check, Severity, register

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

TRACEABILITY_CHECKS: tuple[Check, ...] = (
    Check("TR001", E, "Duplicate ID", "Give each row its own ID; until then the first row counts."),
    Check(
        "TR002",
        E,
        "Driver does not exist",
        "Correct the driver ID, or add the driver on Value Drivers.",
    ),
    Check(
        "TR003",
        E,
        "Workstream does not exist",
        "Correct the workstream ID, or add the workstream on Workstreams.",
    ),
    Check(
        "TR004",
        W,
        "Work not connected to value",
        "List the driver IDs this item is needed for in Enables drivers, or cancel the item.",
    ),
    Check(
        "TR005",
        W,
        "Workstream with no value drivers",
        "Assign the value drivers this workstream delivers, or merge it into one that has value.",
    ),
    Check(
        "TR006",
        W,
        "Value not backed by work",
        "Add the workplan items that deliver this driver and name it in their Enables drivers.",
    ),
    Check(
        "TR007",
        W,
        "Missing accountability",
        "Fill the driver's owner, KPI, measurement method and baseline.",
    ),
    Check(
        "TR008",
        W,
        "Custom ramp without a Value Plan row",
        "Add the driver's row on Value Plan, or choose the Linear, S-curve or Step profile.",
    ),
    Check(
        "TR009",
        I,
        "Value Plan row not used",
        "Set the driver's ramp profile to Custom to use this row, or delete the row.",
    ),
    Check(
        "TR010",
        W,
        "Possible double counting",
        "Check that the drivers measure different value; merge them or make the KPIs distinct.",
    ),
    Check(
        "TR011",
        W,
        "Risk names no existing driver",
        "Name the driver IDs the risk threatens, so its exposure counts in value at risk.",
    ),
    Check(
        "TR012",
        I,
        "Traceability coverage",
        "Connect work to value: fill Enables drivers on every workplan item.",
    ),
    Check(
        "TM001",
        W,
        "Ramp starts before its enabling work finishes",
        "Move the ramp start to after the enabling work, or bring the work forward.",
    ),
    Check(
        "TM002",
        W,
        "Full run-rate before ramp start",
        "Set Full run-rate by to the ramp start or later; until then the driver is at 100% from its ramp start.",
    ),
    Check(
        "RC001",
        W,
        "Targets do not reconcile to the value promise",
        "Adjust the recurring targets or the value promise so they agree within 1%, or record why in Promise basis.",
    ),
    Check(
        "ST001",
        W,
        "Planned or later stage without finance validation",
        "Get finance to validate the business case (Finance validated = Yes) or move the driver back to L2.",
    ),
    Check(
        "ST002",
        W,
        "Realized stage without validated actuals",
        "Have finance validate the driver's actuals (Validated = Yes) or move it back to L4.",
    ),
    Check(
        "AC001",
        E,
        "Actual for a driver that does not exist",
        "Correct the driver ID, or add the driver on Value Drivers.",
    ),
    Check(
        "AC002",
        W,
        "Actual after the as-of period",
        "Correct the period, or roll the as-of period forward on Program; it is not counted until then.",
    ),
    Check(
        "AC003",
        I,
        "Actuals not yet validated",
        "Ask finance to validate the actuals and set Validated to Yes.",
    ),
    Check(
        "AC004",
        W,
        "Negative realized value on a benefit",
        "Check the sign: realized value is typed positive; enter a reversal only if value was lost.",
    ),
    Check(
        "AC005",
        W,
        "Value claimed while enabling work is unfinished",
        "Check the actual and its evidence, or update the enabling item's status and actual finish.",
    ),
    Check(
        "AC006",
        W,
        "No actual for the as-of period",
        "Add an Actuals row for the driver and the as-of period (0 if nothing was realized).",
    ),
    Check(
        "AC007",
        W,
        "Duplicate actual",
        "Keep one row per driver and period; the rows are added together until then.",
    ),
    Check(
        "AC008",
        W,
        "Actual outside the horizon",
        "Correct the period, or widen the horizon (First period / Last period on Program).",
    ),
    Check(
        "SG001",
        W,
        "Dis-benefit typed negative",
        "Type a dis-benefit's amounts positive: they are the size of the loss (EVR subtracts "
        "them). It is read as that loss already.",
    ),
    Check(
        "SG002",
        W,
        "Negative target on a benefit",
        "Type the target positive; if the driver loses value, make it a Dis-benefit and type "
        "the size of the loss.",
    ),
    Check(
        "FC001",
        W,
        "Committed forecast for a period that cannot be forecast",
        "Commit only periods after the as-of period and inside the horizon; record what was "
        "realized on Actuals.",
    ),
    Check(
        "FC002",
        I,
        "Committed forecast above the plan",
        "Check the recovery plan with the driver's owner and record its basis in the notes; "
        "no action if the catch-up is real.",
    ),
)

register(*TRACEABILITY_CHECKS)
CODES = tuple(c.code for c in TRACEABILITY_CHECKS)
