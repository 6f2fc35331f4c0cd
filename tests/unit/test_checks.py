"""Traceability checks: each code fires on the case it names, pointing at the cell to fix."""

from __future__ import annotations

from programs import program

from evr_xl.checks import CHECKS, CODES, coverage, run_checks
from evr_xl.findings import CATALOGUE, Finding, Severity

CLEAN = dict(
    drivers_table="""
        driver_id | workstream_id | target    | ramp_start | full_run_rate_by
        VD-1      | WS-1          | 1,200,000 | 2026-01    | 2026-04
    """,
    workplan_table="""
        item_id | workstream_id | planned_finish | actual_finish | status   | enables
        WP-1    | WS-1          | 2025-12-15     | 2025-12-15    | Complete | VD-1
    """,
    actuals_table="""
        driver_id | period  | realized
        VD-1      | 2026-05 | 100,000
        VD-1      | 2026-06 | 100,000
    """,
    value_promise=1_200_000,
)


def with_(**changes: object) -> list[Finding]:
    return run_checks(program(**(CLEAN | changes)))


def only(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def test_every_code_is_registered_and_every_check_listed() -> None:
    assert set(CODES) <= set(CATALOGUE)
    assert len(CODES) == len(set(CODES))
    assert len(CHECKS) == len(set(CHECKS))


def test_a_clean_programme_has_only_the_coverage_info() -> None:
    findings = run_checks(program(**CLEAN))
    assert [f.code for f in findings] == ["TR012"]
    assert findings[0].severity is Severity.INFO
    assert "100% (1 of 1) of workplan items" in findings[0].message


def test_tr001_duplicate_ids_point_at_the_second_row() -> None:
    findings = with_(drivers_table=CLEAN["drivers_table"] + "VD-1 | WS-1 | 5 | 2026-01 | 2026-01\n")
    [f] = only(findings, "TR001")
    assert f.where == "Value Drivers!A6"
    assert "driver ID VD-1 is used twice" in f.message and "Value Drivers!A5" in f.message


def test_tr002_workplan_enabling_an_unknown_driver() -> None:
    findings = with_(
        workplan_table="""
            item_id | workstream_id | item | item_type | owner | planned_start | planned_finish | forecast_finish | actual_finish | pct_complete | status   | enables
            WP-1    | WS-1          | Go   | Milestone | Ann   | 2025-10-01    | 2025-12-15     | -               | 2025-12-15    | 1.0          | Complete | VD-1, VD-042
        """
    )
    [f] = only(findings, "TR002")
    assert f.render().startswith("Workplan!L5: driver VD-042 does not exist")
    assert f.severity is Severity.ERROR


def test_tr002_risks_and_tr011_risk_with_no_existing_driver() -> None:
    findings = with_(
        risks_table="""
            risk_id | driver_ids | probability | impact
            R-1     | VD-9       | 0.5         | 10
        """
    )
    assert only(findings, "TR002")[0].where == "Risks!B5"
    assert "risk R-1 names no existing driver" in only(findings, "TR011")[0].message


def test_tr003_unknown_workstream() -> None:
    findings = with_(
        drivers_table="""
            driver_id | workstream_id | target    | ramp_start | full_run_rate_by
            VD-1      | WS-9          | 1,200,000 | 2026-01    | 2026-04
        """,
        workstreams_table="""
            workstream_id | name
            WS-1          | One
        """,
    )
    [f] = only(findings, "TR003")
    assert f.where == "Value Drivers!B5" and "workstream WS-9 does not exist" in f.message
    assert only(findings, "TR005")[0].where == "Workstreams!A5"  # WS-1 now has no drivers


def test_tr004_work_not_connected_and_coverage() -> None:
    data = program(
        **(
            CLEAN
            | {
                "workplan_table": CLEAN["workplan_table"]
                + "WP-2 | WS-1 | 2026-09-30 | - | In progress | -\n"
                + "WP-3 | WS-1 | 2026-09-30 | - | Cancelled | -\n"
            }
        )
    )
    [f] = only(run_checks(data), "TR004")
    assert f.where == "Workplan!F6" and "WP-2" in f.message  # the cancelled WP-3 is not reported
    c = coverage(data)
    assert (c["items"], c["items_connected"], c["items_connected_pct"]) == (2, 1, 0.5)
    assert c["milestones_connected_pct"] == 0.5
    assert c["value_backed_pct"] == 1.0


def test_tr006_value_not_backed_by_work() -> None:
    findings = with_(workplan_table="")
    [f] = only(findings, "TR006")
    assert f.where == "Value Drivers!A5" and "VD-1" in f.message
    assert coverage(program(**(CLEAN | {"workplan_table": ""})))["value_backed_pct"] == 0.0


def test_tr007_missing_accountability_points_at_the_first_missing_field() -> None:
    findings = with_(
        drivers_table="""
            driver_id | workstream_id | target    | ramp_start | full_run_rate_by | owner | kpi | baseline
            VD-1      | WS-1          | 1,200,000 | 2026-01    | 2026-04          | -     | -   | -
        """
    )
    [f] = only(findings, "TR007")
    assert f.message == "driver VD-1 has no owner, KPI, baseline"
    assert f.where == "Value Drivers!F5"  # the owner cell


def test_tr008_tr009_custom_ramps_and_the_value_plan() -> None:
    findings = with_(
        drivers_table="""
            driver_id | workstream_id | target | ramp_start | full_run_rate_by | ramp_profile
            VD-1      | WS-1          | 1,200  | 2026-01    | 2026-04          | Custom
            VD-2      | WS-1          | 1,200  | 2026-01    | 2026-04          | Linear
        """,
        value_plan_table="""
            driver_id | 2026-01
            VD-2      | 100
        """,
    )
    assert only(findings, "TR008")[0].where == "Value Drivers!F5"
    assert "VD-2" in only(findings, "TR009")[0].message


def test_tr010_same_kpi_in_the_same_workstream() -> None:
    findings = with_(
        drivers_table="""
            driver_id | workstream_id | target  | ramp_start | full_run_rate_by | kpi
            VD-1      | WS-1          | 600,000 | 2026-01    | 2026-04          | Spend per unit
            VD-2      | WS-1          | 600,000 | 2026-01    | 2026-04          | spend per unit
        """
    )
    [f] = only(findings, "TR010")
    assert f.where == "Value Drivers!F6" and "VD-1 and VD-2" in f.message


def test_tm001_ramp_before_enabling_work_and_tm002() -> None:
    findings = with_(
        drivers_table="""
            driver_id | workstream_id | target    | ramp_start | full_run_rate_by
            VD-1      | WS-1          | 1,200,000 | 2026-03    | 2026-02
        """,
        workplan_table="""
            item_id | workstream_id | planned_finish | forecast_finish | enables
            WP-1    | WS-1          | 2026-03-31     | 2026-05-15      | VD-1
        """,
    )
    start, full = only(findings, "TM001")
    assert start.where == "Value Drivers!D5"
    assert start.message == (
        "driver VD-1 ramps up from 2026-03 but none of its enabling work is done before "
        "2026-07 (the first to finish: WP-1)"
    )  # planned 2026-03 <= T and unfinished: next period at the earliest, then 2026-05 forecast
    assert full.where == "Value Drivers!E5"
    assert full.message == (
        "driver VD-1 reaches full run-rate in 2026-02 but its enabling item WP-1 finishes only "
        "in 2026-07"
    )
    assert only(findings, "TM002")[0].where == "Value Drivers!E5"


def test_tm001_ac005_fit_phased_delivery() -> None:
    """Wave 1 done and saving money, wave 2 pending: honest, no timing finding. Value before
    any enabling work is done, or full run-rate before all of it, is flagged."""
    phased = with_(
        drivers_table="""
            driver_id | workstream_id | target    | ramp_start | full_run_rate_by
            VD-1      | WS-1          | 1,200,000 | 2026-02    | 2026-10
        """,
        workplan_table="""
            item_id | workstream_id | planned_finish | actual_finish | status      | enables
            WP-1    | WS-1          | 2026-01-31     | 2026-01-31    | Complete    | VD-1
            WP-2    | WS-1          | 2026-09-30     | -             | In progress | VD-1
        """,
        actuals_table="""
            driver_id | period  | realized
            VD-1      | 2026-02 | 20,000
            VD-1      | 2026-06 | 60,000
        """,
    )
    assert not only(phased, "TM001") and not only(phased, "AC005")


def test_a_dual_running_cost_linked_to_the_work_that_ends_it_raises_no_timing_finding() -> None:
    findings = with_(
        drivers_table="""
            driver_id | workstream_id | category    | target  | ramp_start | full_run_rate_by
            VD-9      | WS-1          | Dis-benefit | 600,000 | 2026-01    | 2026-01
        """,
        workplan_table="""
            item_id | workstream_id | item                   | planned_finish | status      | enables
            WP-9    | WS-1          | Decommission legacy ERP | 2026-11-30    | In progress | VD-9
        """,
        actuals_table="""
            driver_id | period  | realized
            VD-9      | 2026-03 | 50,000
        """,
    )
    assert not only(findings, "TM001") and not only(findings, "AC005")
    assert not only(findings, "TR006")  # linked: backed by work


def test_rc001_targets_do_not_reconcile() -> None:
    findings = with_(value_promise=1_250_000)
    [f] = only(findings, "RC001")
    assert f.where == "Program!B8"
    assert "USD 50,000 (4.0%) short of the value promise of USD 1,250,000" in f.message
    assert not only(with_(value_promise=1_210_000), "RC001")  # within 1%


def test_st001_st002_stage_consistency() -> None:
    findings = with_(
        drivers_table="""
            driver_id | workstream_id | target    | ramp_start | full_run_rate_by | stage | finance_validated
            VD-1      | WS-1          | 1,200,000 | 2026-01    | 2026-04          | L5    | No
        """,
        actuals_table="""
            driver_id | period  | realized | validated
            VD-1      | 2026-06 | 100,000  | No
        """,
    )
    assert only(findings, "ST001")[0].where == "Value Drivers!G5"
    assert "stage L5 (Realized) but has no validated actuals" in only(findings, "ST002")[0].message


def test_actuals_checks() -> None:
    findings = with_(
        drivers_table="""
            driver_id | workstream_id | target    | ramp_start | full_run_rate_by
            VD-1      | WS-1          | 1,200,000 | 2026-01    | 2026-04
            VD-2      | WS-1          | 1,200,000 | 2026-01    | 2026-04
        """,
        workplan_table="""
            item_id | workstream_id | planned_finish | actual_finish | status      | enables
            WP-1    | WS-1          | 2025-12-15     | 2025-12-15    | Complete    | VD-1
            WP-2    | WS-1          | 2026-09-30     | -             | In progress | VD-2
        """,
        actuals_table="""
            driver_id | period  | realized | validated
            VD-1      | 2026-05 | 100,000  | Yes
            VD-1      | 2026-05 | 5,000    | Yes
            VD-1      | 2026-06 | -3,000   | No
            VD-7      | 2026-06 | 1        | Yes
            VD-1      | 2026-08 | 100,000  | Yes
            VD-1      | 2025-06 | 100,000  | Yes
            VD-2      | 2026-04 | 50,000   | Yes
        """,
    )
    by_code = {f.code: f for f in findings}
    assert by_code["AC001"].where == "Actuals!A8"
    assert by_code["AC002"].where == "Actuals!B9" and "2026-08" in by_code["AC002"].message
    assert by_code["AC003"].where == "Actuals!D7"
    assert by_code["AC004"].where == "Actuals!C7"
    assert by_code["AC005"].message == (
        "driver VD-2 reports realized value in 2026-04 but its enabling item WP-2 is not finished"
    )
    assert by_code["AC006"].where == "Value Drivers!A6"  # VD-2 has plan but no actual in 2026-06
    assert by_code["AC007"].where == "Actuals!B6"
    assert by_code["AC008"].where == "Actuals!B10"
    assert by_code["AC001"].severity is Severity.ERROR


def test_findings_come_sorted_errors_first() -> None:
    findings = with_(
        workplan_table="""
            item_id | workstream_id | planned_finish | enables
            WP-1    | WS-1          | 2025-12-15     | VD-1, VD-9
        """
    )
    ranks = [f.severity.rank for f in findings]
    assert ranks == sorted(ranks) and findings[0].code == "TR002"
