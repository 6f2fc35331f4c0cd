"""Periods: months or quarters, as whole-number ordinals for arithmetic and as labels.

A period is stored in records as the date of its first day (2026-03 -> 2026-03-01,
2026-Q1 -> 2026-01-01). Ordinals count periods from year 0: month ordinal = 12*year + month - 1,
quarter ordinal = 4*year + quarter - 1, so "next period" is ordinal + 1.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import Enum

Period = date  # the first day of the period


class PeriodType(str, Enum):
    MONTH = "Month"
    QUARTER = "Quarter"

    @property
    def per_year(self) -> int:
        return 12 if self is PeriodType.MONTH else 4


_MONTH_TEXT = re.compile(r"^\s*(\d{4})\s*[-/.]\s*(\d{1,2})\s*$")
_QUARTER_TEXT = re.compile(r"^\s*(\d{4})\s*[- ]?\s*Q([1-4])\s*$", re.IGNORECASE)
_QUARTER_FIRST = re.compile(r"^\s*Q([1-4])\s*[- ]?\s*(\d{4})\s*$", re.IGNORECASE)
_MONTH_NAME = re.compile(r"^\s*([A-Za-z]{3,9})[\s\-/.']*(\d{2,4})\s*$")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}


def parse_period(value: object) -> Period | None:
    """A cell value -> the first day of its period, or None when it is not a period.

    Accepts dates/datetimes (any day in the period), '2026-03', '2026/3', '2026-Q1', 'Q1 2026',
    'Mar 2026', 'March-26' and ISO date text '2026-03-15'. Quarter text gives the quarter's first
    month; a month inside a quarterly programme is bucketed by the engine.
    """
    if isinstance(value, datetime):
        return date(value.year, value.month, 1)
    if isinstance(value, date):
        return date(value.year, value.month, 1)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if m := _MONTH_TEXT.match(text):
        y, mo = int(m.group(1)), int(m.group(2))
        return date(y, mo, 1) if 1 <= mo <= 12 and 1900 <= y <= 2200 else None
    if m := _QUARTER_TEXT.match(text):
        return date(int(m.group(1)), 3 * int(m.group(2)) - 2, 1)
    if m := _QUARTER_FIRST.match(text):
        return date(int(m.group(2)), 3 * int(m.group(1)) - 2, 1)
    if m := _MONTH_NAME.match(text):
        mo = _MONTHS.get(m.group(1)[:3].lower())
        y = int(m.group(2))
        y = y + 2000 if y < 100 else y
        return date(y, mo, 1) if mo and 1900 <= y <= 2200 else None
    try:
        d = date.fromisoformat(text[:10])
    except ValueError:
        return None
    return date(d.year, d.month, 1)


def ordinal(d: date, ptype: PeriodType) -> int:
    """The period ordinal of a date (any day inside the period)."""
    if ptype is PeriodType.MONTH:
        return d.year * 12 + d.month - 1
    return d.year * 4 + (d.month - 1) // 3


def from_ordinal(n: int, ptype: PeriodType) -> Period:
    if ptype is PeriodType.MONTH:
        return date(n // 12, n % 12 + 1, 1)
    return date(n // 4, (n % 4) * 3 + 1, 1)


def label(n: int, ptype: PeriodType) -> str:
    """2026-03 for months, 2026-Q1 for quarters."""
    if ptype is PeriodType.MONTH:
        return f"{n // 12:04d}-{n % 12 + 1:02d}"
    return f"{n // 4:04d}-Q{n % 4 + 1}"


def label_of(d: date, ptype: PeriodType) -> str:
    return label(ordinal(d, ptype), ptype)
