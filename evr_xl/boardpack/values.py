"""Cell values for the pack: user text made safe, numbers finite or empty, frames as rows."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from evr_xl.boardpack.model import CellValue
from evr_xl.xlsx.sheet import escape_text


def text(value: object) -> str:
    """User text made safe for a cell (the renderer also keeps = + - @ text as text)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return escape_text(str(value))


def num(value: object) -> float | None:
    """A finite float, or None (an empty cell) for NaN / missing."""
    if value is None:
        return None
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def frame_rows(frame: pd.DataFrame, columns: Sequence[str]) -> list[tuple[CellValue, ...]]:
    """Rows of `frame` as cell values: numbers finite or None, text escaped."""
    out = []
    for rec in frame[list(columns)].itertuples(index=False):
        row: list[CellValue] = []
        for v in rec:
            if isinstance(v, str):
                row.append(text(v))
            elif isinstance(v, bool | np.bool_):
                row.append(bool(v))
            elif isinstance(v, dt.date):
                row.append(v)
            else:
                row.append(num(v))
        out.append(tuple(row))
    return out
