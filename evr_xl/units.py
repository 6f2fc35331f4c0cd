"""Numbers as a finance partner reads them: money with its currency and scale, percentages.

One place for the currency symbol and the Excel number formats, so the CLI, the output sheets and
the board pack show the same money the same way.
"""

from __future__ import annotations

import math

SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "CNY": "¥",
    "INR": "₹",
    "CHF": "CHF ",
    "AUD": "A$",
    "CAD": "C$",
    "SEK": "SEK ",
    "NOK": "NOK ",
    "DKK": "DKK ",
    "BRL": "R$",
}


def symbol(currency: str) -> str:
    """$ for USD, € for EUR; otherwise the ISO code and a space ("PLN ")."""
    code = (currency or "").strip().upper()
    return SYMBOLS.get(code, f"{code} " if code else "")


def money(value: float | None, currency: str, *, signed: bool = False) -> str:
    """$41.2M, €850k, -$1.3M; '—' for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    sym = symbol(currency)
    sign = "-" if value < 0 else ("+" if signed and value > 0 else "")
    v = abs(value)
    if v >= 1e9:
        text = f"{v / 1e9:,.2f}bn"
    elif v >= 1e6:
        text = f"{v / 1e6:,.1f}M"
    elif v >= 1e3:
        text = f"{v / 1e3:,.0f}k"
    else:
        text = f"{v:,.0f}"
    return f"{sign}{sym}{text}"


def pct(value: float | None, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value * 100:.{digits}f}%"


def excel_money_format(currency: str, scale: str = "") -> str:
    """An Excel number format: full units, thousands ("k") or millions ("M"), negatives in red."""
    sym = symbol(currency).replace('"', "")
    quoted = f'"{sym}"' if sym else ""
    if scale == "M":
        body = '#,##0.0,,"M"'
    elif scale == "k":
        body = '#,##0,"k"'
    else:
        body = "#,##0"
    return f"{quoted}{body};[Red]-{quoted}{body};{quoted}0"
