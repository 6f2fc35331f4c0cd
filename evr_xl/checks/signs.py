"""Signs that contradict a driver's category (docs/workbook.md, reading policy): a dis-benefit
typed negative (SG001: read as the loss it is, never flipped into a benefit) and a benefit's
target typed negative (SG002: read as typed, a loss of value). A benefit's negative actual is
AC004."""

from __future__ import annotations

from evr_xl.checks.common import findings, money, results_of
from evr_xl.engine import Results
from evr_xl.engine.frames import key
from evr_xl.findings import Finding
from evr_xl.model.records import ProgramData
from evr_xl.model.table import cells, fields

DISBENEFIT = "Dis-benefit"


def contradicting_signs(data: ProgramData, results: Results | None = None) -> list[Finding]:
    """SG001 on every negative amount of a dis-benefit (target, actual, run-rate); SG002 on a
    benefit's negative target."""
    cur = data.settings.currency
    ids, category, target = fields(data.drivers, "driver_id", "category", "target")
    out: list[Finding] = []
    rows = [i for i, (c, t) in enumerate(zip(category, target, strict=True)) if (t or 0) < 0]
    loss = [i for i in rows if category[i] == DISBENEFIT]
    gain = [i for i in rows if category[i] != DISBENEFIT]
    out += findings(
        "SG001",
        [
            f"driver {ids[i]} is a Dis-benefit with its target typed negative "
            f"({money(target[i], cur)}): read as a loss of {money(-target[i], cur)} a year, "
            "the size of the dis-benefit"
            for i in loss
        ],
        cells(data.drivers, loss, "target"),
    )
    out += findings(
        "SG002",
        [
            f"driver {ids[i]} is a {category[i]} with a negative target "
            f"({money(target[i], cur)}): read as typed, a loss of value"
            for i in gain
        ],
        cells(data.drivers, gain, "target"),
    )
    index = results_of(data, results).frames.driver_index
    disbenefit = {k for k, c in zip(map(key, ids), category, strict=True) if c == DISBENEFIT}
    a_ids, realized, run_rate = fields(data.actuals, "driver_id", "realized", "run_rate")
    for field, values in (("realized", realized), ("run_rate", run_rate)):
        rows = [
            i
            for i, (d, v) in enumerate(zip(a_ids, values, strict=True))
            if v is not None and v < 0 and key(d) in disbenefit and key(d) in index
        ]
        what = "realized value" if field == "realized" else "run-rate"
        out += findings(
            "SG001",
            [
                f"driver {a_ids[i]} is a Dis-benefit with its {what} typed negative "
                f"({money(values[i], cur)}): read as a loss of {money(-values[i], cur)}"
                for i in rows
            ],
            cells(data.actuals, rows, field),
        )
    return out
