"""The board pack's one look: font, palette, number formats and money shown as text.

One font family, a small palette of blues and greys for data, and the RAG colours kept for RAG
alone. Money is shown in millions (programme and workstream figures) or thousands (driver and
workplan-item figures), the currency in the number format and the unit in the column header.
"""

from __future__ import annotations

import math
import re

from evr_xl.workbook.layout import COLOURS

FONT = "Calibri"  # LibreOffice renders it with the metric-compatible Carlito

NAVY = COLOURS["header"]  # titles, header bands, totals
BLUE = "4472C4"  # the main data series
LIGHT_BLUE = "9DC3E6"  # the second data series
SLATE = "7F7F7F"  # decreases, value at risk
LIGHT_GREY = "D9D9D9"  # shortfall, helper lines
TEXT_GREY = "595959"  # notes and labels
TILE = "F2F2F2"  # KPI tile background
RAG_FILL = {"Green": COLOURS["green"], "Amber": COLOURS["amber"], "Red": COLOURS["red"]}
RAG_FONT = {"Green": "006100", "Amber": "9C5700", "Red": "9C0006"}

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "AUD": "A$", "CAD": "C$"}

PCT = "0%"
PCT1 = "0.0%"
INT = "#,##0"
PERIODS = '0 "per."'  # a whole number of periods (months or quarters)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def money_format(currency: str, unit: str = "M", decimals: int = 1) -> str:
    """An Excel number format showing money in millions (unit "M") or thousands ("K").

    e.g. USD, M -> ``"$"#,##0.0,,"M"``; CHF, K -> ``#,##0," K CHF"``. Negative amounts keep
    the minus sign; the currency sits in the format so the cell still holds the full amount.
    """
    scale = ",," if unit == "M" else ","
    digits = "#,##0" + ("." + "0" * decimals if decimals else "")
    symbol = SYMBOLS.get(currency.upper())
    if symbol:
        pos = f"{_quoted(symbol)}{digits}{scale}{_quoted(unit)}"
    else:
        pos = f"{digits}{scale}{_quoted(' ' + unit + ' ' + currency.upper())}"
    return f"{pos};-{pos}"


_MILLIONS = re.compile(r'#,##0\.0,,"( ?)M')
SMALL = 999_500  # below this, $1.0M would round to "$0.0M" or "$1.0M": show thousands


def fitted(fmt: str, value: object) -> str:
    """A millions format shows an amount under a million in thousands ("$11k", never "$0.0M"
    or "-$0.0M"); the cell still holds the full amount."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or abs(value) >= SMALL:
        return fmt
    if abs(value) < 500:  # not even a thousand: the amount itself ("$400", "$0")
        return _MILLIONS.sub(r'#,##0"\1', fmt).replace('"  ', '" ')
    return _MILLIONS.sub(r'#,##0,"\1k', fmt)


def unit_label(currency: str, unit: str = "M") -> str:
    """The unit as written in a column header, e.g. "USD M"."""
    return f"{currency.upper()} {unit}"


def pct_text(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:.0%}"
