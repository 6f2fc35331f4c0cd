"""Cell parsing: one function per column kind, from whatever a user typed to a clean value.

Each parser returns ``(value, problem)``: a normalised value, or None and a short text saying
what is wrong. The reader turns problems into findings with the cell's address. Users type
numbers as text with currency symbols and thousands separators, percentages as 45 or "45%",
periods as dates or "2026-03"/"2026-Q1", Yes/No in any case: all are accepted here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import repeat
from operator import getitem
from typing import Any

from evr_xl.model.periods import PeriodType, parse_period
from evr_xl.xlsx.sheetscan import UNCALCULATED

ERROR_VALUES = {
    "#N/A",
    "#REF!",
    "#VALUE!",
    "#DIV/0!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
    "#FIELD!",
    "#BLOCKED!",
    "#UNKNOWN!",
    "#CONNECT!",
    "#BUSY!",
}
_SYMBOLS = "$€£¥₹₩"
_CODE_PREFIX = re.compile(r"^[A-Z]{3}(?=[\d(+\-.$€£¥₹₩])")
_CODE_SUFFIX = re.compile(r"(?<=[\d).])[A-Z]{3}$")
_SUFFIX = {
    "k": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "mio": 1e6, "bn": 1e9, "b": 1e9, "mrd": 1e9,
}  # fmt: skip
_NUMBER_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_YES = {"yes", "y", "true", "1", "x", "ja", "oui", "si", "sí"}
_NO = {"no", "n", "false", "0", "nein", "non"}
EXCEL_EPOCH = datetime(1899, 12, 30)

Parsed = tuple[Any, str | None]


class Problem(str):
    """A problem text that names its own finding code (the column kind's code otherwise), for a
    reading that is not a plain "not a number": ambiguous, another currency, out of range."""

    code: str

    def __new__(cls, text: str, code: str) -> Problem:
        made = super().__new__(cls, text)
        made.code = code
        return made


AMBIGUOUS, FOREIGN, OUT_OF_RANGE = "RD018", "RD019", "RD020"
NUMBER_FORMATS = {"1,234.56": ".", "1.234,56": ","}  # the Program setting -> its decimal mark


@dataclass(frozen=True)
class ReadContext:
    """What reading a cell needs to know of the programme (docs/workbook.md, reading policy).

    currency: the programme's ISO code; an amount marked with another is not counted.
    decimal: "." or "," from the Program's Number format; None when not set, and then a text
    number that reads two ways ("800.000": 800 or 800,000) is flagged, never guessed.
    period_type: a quarter typed in a monthly programme is flagged, not booked to a month.
    """

    currency: str = ""
    decimal: str | None = None
    period_type: PeriodType | None = None


PLAIN = ReadContext()


def is_error_value(value: Any) -> bool:
    """An Excel error (#N/A, #REF!, ...) or a formula saved without its result."""
    return isinstance(value, str) and (
        value.strip().upper() in ERROR_VALUES or value == UNCALCULATED
    )


def error_problem(value: Any) -> str:
    """What to say about a cell for which is_error_value is true."""
    if value == UNCALCULATED:
        return (
            "the formula in the cell has no saved result (the file was saved without "
            "calculating it): open it in Excel, let it calculate, and save"
        )
    return f"the cell holds the error {str(value).strip().upper()}"


def parse_text(value: Any) -> Parsed:
    if value is None:
        return None, None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        value = value.isoformat()[:10]
    text = str(value).strip()
    return (text or None), None


def parse_id(value: Any) -> Parsed:
    """IDs are trimmed, inner spaces collapsed and upper-cased: 'vd-001 ' is VD-001."""
    text, _ = parse_text(value)
    if text is None:
        return None, None
    return " ".join(text.split()).upper(), None


def parse_ids(value: Any) -> Parsed:
    text, _ = parse_text(value)
    if text is None:
        return (), None
    parts = [p for p in re.split(r"[,;\n]+", text) if p.strip()]
    return tuple(dict.fromkeys(parse_id(p)[0] for p in parts)), None


def _canon(text: str) -> str:
    return re.sub(r"[\s\-_]+", "", text.lower())


def parse_choice(value: Any, choices: tuple[str, ...]) -> Parsed:
    text, _ = parse_text(value)
    if text is None:
        return None, None
    key = _canon(text)
    for c in choices:
        if _canon(c) == key:
            return c, None
    shown = ", ".join(choices)
    return None, f"'{text}' is not one of: {shown}"


CURRENCY_CODES = frozenset(
    "USD EUR GBP JPY CNY CHF CAD AUD NZD SEK NOK DKK PLN CZK HUF INR KRW SGD HKD MXN BRL ZAR "
    "TRY AED SAR ILS RON BGN THB MYR IDR PHP".split()
)
# A symbol stands for these codes (a "$" is any dollar: its currency is the programme's if that
# is a dollar, another currency's otherwise).
SYMBOL_CODES = {
    "$": frozenset({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN"}),
    "€": frozenset({"EUR"}),
    "£": frozenset({"GBP"}),
    "¥": frozenset({"JPY", "CNY"}),
    "₹": frozenset({"INR"}),
    "₩": frozenset({"KRW"}),
}
_CODE_START = re.compile(r"^([A-Za-z]{3})(?=[\d(+\-.,$€£¥₹₩])")
_CODE_END = re.compile(r"(?<=[\d).,$€£¥₹₩kKmMbBnN])([A-Za-z]{3})$")
NILS = {"-", "–", "—", "nil"}  # an accountant's nil
BLANKS = {"n/a", "na", "n.a.", "tbd", "tbc", "?"}  # not known yet: a blank cell


def parse_number(value: Any, ctx: ReadContext = PLAIN) -> Parsed:
    """A number, read as a careful person would or flagged (docs/workbook.md, reading policy).

    Numbers are numbers. Text: '$1,250,000', '(2,500)', '-1.2M', 'EUR 40k', '50k USD',
    '1.234.567,89'; '-' is nil (0) and 'n/a' blank. A currency other than the programme's is
    not counted (RD019); separators that read two ways without a Number format are flagged
    (RD018), as are separators that contradict it.
    """
    if value is None:
        return None, None
    if isinstance(value, bool):
        return None, f"'{value}' is not a number"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return None, f"'{value}' is not a finite number"
        return float(value), None
    if isinstance(value, datetime | date):
        return None, f"{value.isoformat()[:10]} is a date, not a number"
    text = str(value).strip()
    if not text:
        return None, None
    if is_error_value(text):
        return None, error_problem(text)
    if text in NILS or text.lower() == "nil":
        return 0.0, None
    if text.lower() in BLANKS:
        return None, None
    s = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
    s = re.sub(r"(?<=\d)[.,][-–—]$", "", s)  # '1.000,-': a whole amount, not a minus sign
    negative = False
    marks: list[str] = []  # the currency marks typed with the amount
    for _ in range(4):  # signs, brackets and currency marks come in any order: -$(1,000) USD
        before = s
        for pattern in (_CODE_START, _CODE_END):
            m = pattern.search(s)
            if m and m.group(1).upper() in CURRENCY_CODES:
                marks.append(m.group(1).upper())
                s = s[: m.start(1)] + s[m.end(1) :]
        while s and s[0] in SYMBOL_CODES:
            marks.append(s[0])
            s = s[1:]
        while s and s[-1] in SYMBOL_CODES:
            marks.append(s[-1])
            s = s[:-1]
        if s.startswith("(") and s.endswith(")"):
            negative, s = not negative, s[1:-1]
        if s.startswith("-") or s.endswith("-"):
            negative, s = not negative, s.strip("-")
        s = s.lstrip("+")
        if s == before:
            break
    foreign = _foreign(marks, ctx.currency)
    if foreign:
        return None, Problem(
            f"'{text}' is an amount in {foreign}, not in the programme currency "
            f"{ctx.currency}: not counted",
            FOREIGN,
        )
    mult = 1.0
    m = re.match(r"^(.*?)(mio|mrd|bn|mm|mn|k|m|b)\.?$", s, re.IGNORECASE)
    if m and m.group(1):
        s, mult = m.group(1), _SUFFIX[m.group(2).lower()]
    plain, problem = _separators(s, text, ctx.decimal)
    if problem:
        return None, problem
    if plain is None or not _NUMBER_TEXT.match(plain):
        return None, f"'{text}' is not a number"
    number = float(plain) * mult
    return (-number if negative else number), None


def _foreign(marks: list[str], currency: str) -> str | None:
    """The first currency mark that is not the programme's (None: all are, or none typed)."""
    own = currency.strip().upper()
    for mark in marks:
        codes = SYMBOL_CODES.get(mark, frozenset({mark}))
        if own and own not in codes:
            return mark if mark not in SYMBOL_CODES else f"{mark} ({'/'.join(sorted(codes))})"
    return None


def _grouped(digits: str, sep: str) -> bool:
    """'1,250,000': a first group of 1-3 digits, then groups of exactly 3."""
    return bool(re.fullmatch(r"\d{1,3}(" + re.escape(sep) + r"\d{3})+", digits))


def _separators(s: str, text: str, decimal: str | None) -> tuple[str | None, str | None]:
    """The number text with its separators resolved to a plain '1234.5', or a problem."""
    dots, commas = s.count("."), s.count(",")
    if not dots and not commas:
        return s, None
    name = {".": "1,234.56", ",": "1.234,56"}
    if dots and commas:
        mark = "." if s.rfind(".") > s.rfind(",") else ","
        group = "," if mark == "." else "."
        whole, _, fraction = s.rpartition(mark)
        if group in fraction or not (_grouped(whole, group) or whole.isdigit()):
            return None, f"'{text}' is not a number"
        if decimal and mark != decimal:
            return None, (
                f"'{text}' uses '{mark}' as the decimal mark, but the programme's Number format "
                f"is {name[decimal]}"
            )
        return whole.replace(group, "") + "." + fraction, None
    sep = "." if dots else ","
    parts = s.split(sep)
    if len(parts) > 2:  # '2.500.000': only thousands can repeat
        if not _grouped(s, sep):
            return None, f"'{text}' is not a number"
        if decimal == sep:
            return None, (
                f"'{text}' uses '{sep}' between thousands, but the programme's Number format "
                f"is {name[decimal]}"
            )
        return s.replace(sep, ""), None
    whole, fraction = parts
    if len(fraction) == 3 and whole.isdigit() and 1 <= len(whole) <= 3 and whole != "0":
        thousands, decimals = whole + fraction, whole + "." + fraction
        if decimal is None:
            return None, Problem(
                f"'{text}' reads two ways: {float(thousands):,.0f} or {float(decimals):g}. Set "
                "the Program sheet's Number format (1,234.56 or 1.234,56), or type the number "
                "without separators",
                AMBIGUOUS,
            )
        return (decimals if decimal == sep else thousands), None
    if decimal and decimal != sep:
        return None, (
            f"'{text}' uses '{sep}' as the decimal mark, but the programme's Number format is "
            f"{name[decimal]}"
        )
    return whole + "." + fraction, None


def parse_percent(value: Any, ctx: ReadContext = PLAIN, bounded: bool = True) -> Parsed:
    """A fraction: 0.45, '45%', '45 %' or 45 (read as 45%) all give 0.45.

    A number between 1 and 2 with decimals (1.5) reads two ways, 150% or 1.5%: flagged. With
    `bounded`, a share outside 0-100% is flagged and the nearest bound used (RD020, Warning).
    """
    if value is None:
        return None, None
    if isinstance(value, str) and value.strip().endswith("%"):
        number, problem = parse_number(value.strip()[:-1], ctx)
        if problem or number is None:
            return None, f"'{value}' is not a percentage"
        return _bounded(number / 100.0, value, bounded)
    number, problem = parse_number(value, ctx)
    if problem:
        return None, f"'{value}' is not a percentage"
    if number is None:
        return None, None
    if 1.0 < abs(number) < 2.0 and not float(number).is_integer():
        return None, Problem(
            f"'{value}' reads two ways: {abs(number):.0%} or {abs(number):g}%. Type it with a % "
            "sign",
            AMBIGUOUS,
        )
    return _bounded(number / 100.0 if abs(number) > 1.0 else number, value, bounded)


def _bounded(share: float, typed: Any, bounded: bool) -> Parsed:
    if not bounded or 0.0 <= share <= 1.0:
        return share, None
    used = min(1.0, max(0.0, share))
    return used, Problem(
        f"'{typed}' is {share:.0%}, outside 0-100%: read as {used:.0%}", OUT_OF_RANGE
    )


def parse_integer(value: Any) -> Parsed:
    number, problem = parse_number(value)
    if problem or number is None:
        return None, problem
    if not float(number).is_integer():
        return None, f"'{value}' is not a whole number"
    return int(number), None


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%Y.%m.%d",
    "%d.%m.%Y",
)


def parse_date(value: Any) -> Parsed:
    """A date from a date cell, an Excel serial number, or unambiguous date text."""
    if value is None:
        return None, None
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value <= 2958465:  # Excel's serial range (1900-01-01 .. 9999-12-31)
            return (EXCEL_EPOCH + timedelta(days=int(value))).date(), None
        return None, f"{value} is not a date"
    text = str(value).strip().replace(",", "")
    if not text:
        return None, None
    if is_error_value(text):
        return None, error_problem(text)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text[:30], fmt).date(), None
        except ValueError:
            continue
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if a > 12 and b <= 12:
            return _safe_date(y, b, a, text)
        if b > 12 and a <= 12:
            return _safe_date(y, a, b, text)
        if a <= 12 and b <= 12 and _valid(y, a, b):
            return None, (
                f"'{text}' is ambiguous: {date(y, b, a):%d %B %Y} or {date(y, a, b):%d %B %Y}? "
                f"Type it as {y}-{b:02d}-{a:02d} or {y}-{a:02d}-{b:02d}"
            )
    return None, f"'{text}' is not a date"


def _valid(y: int, a: int, b: int) -> bool:
    try:
        date(y, a, b), date(y, b, a)
    except ValueError:
        return False
    return True


def _safe_date(y: int, m: int, d: int, text: str) -> Parsed:
    try:
        return date(y, m, d), None
    except ValueError:
        return None, f"'{text}' is not a date"


_MONTH_YEAR = re.compile(r"^\s*(\d{1,2})\s*[-/.]\s*(\d{4})\s*$")  # 07/2026
_QUARTER = re.compile(
    r"^\s*(\d{4}\s*[- /]?\s*Q[1-4]|Q[1-4]\s*[- /]?\s*(\d{4}|\d{2}))\s*$", re.IGNORECASE
)
_QUARTER_SHORT = re.compile(r"^\s*Q([1-4])\s*[- /]?\s*(\d{2})\s*$", re.IGNORECASE)


def parse_period_cell(value: Any, ctx: ReadContext = PLAIN) -> Parsed:
    """A period from a date (any day in it), '2026-03', '07/2026', 'Jul-26', 'July 2026',
    '2026-Q3', 'Q3 2026' or a date typed as text ('30/11/2026'). A day/month date that reads
    two ways is flagged; so is a quarter in a monthly programme (which month?)."""
    if value is None:
        return None, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        d, problem = parse_date(value)
        return (date(d.year, d.month, 1) if d else None), problem
    if is_error_value(value):
        return None, error_problem(value)
    if isinstance(value, str):
        text = value.strip()
        if _QUARTER.match(text) or _QUARTER_SHORT.match(text):
            if ctx.period_type is PeriodType.MONTH:
                return None, (
                    f"'{text}' is a quarter, but the programme is monthly: type the month "
                    "(e.g. 2026-07), or one row per month"
                )
            if m := _QUARTER_SHORT.match(text):
                return date(2000 + int(m.group(2)), 3 * int(m.group(1)) - 2, 1), None
        if m := _MONTH_YEAR.match(text):
            month, year = int(m.group(1)), int(m.group(2))
            if 1 <= month <= 12 and 1900 <= year <= 2200:
                return date(year, month, 1), None
            return None, f"'{text}' is not a period"
    p = parse_period(value)
    if p is not None:
        return p, None
    d, problem = parse_date(value)  # a date typed as text: its period
    if d is not None:
        return date(d.year, d.month, 1), None
    if problem and "ambiguous" in problem:
        return None, problem
    return None, f"'{value}' is not a period: type 2026-03, 2026-Q1 or a date in the period"


def parse_yesno(value: Any) -> Parsed:
    if value is None:
        return None, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value), None
        return None, f"'{value}' is not Yes or No"
    text = str(value).strip().lower()
    if not text:
        return None, None
    if text in _YES:
        return True, None
    if text in _NO:
        return False, None
    return None, f"'{value}' is not Yes or No"


# --- fast paths ----------------------------------------------------------------------------------
# A large programme has hundreds of thousands of cells, nearly all clean: a date cell in a date
# column, a number in a money column, a dropdown value typed exactly. `fast_parser` gives, per
# column kind, a function that parses those in a few operations and returns SLOW for anything
# else, which then goes through the full parser above. A blank (None) gives what the full parser
# gives for a blank. Results are identical to the full parser: tests/workbook checks every finding
# and value, tests/bench/test_reader_fast_path.py every column kind against the full parsers.

SLOW: Any = object()  # "not a common case: use the full parser"


def _fast_text(v: Any) -> Any:
    if v.__class__ is str:
        if v[:1] == "#" or v[:1].isspace():
            return SLOW  # may be an error value such as #N/A (with or without spaces)
        s = v.strip()
        return SLOW if len(s) > 32767 else (s or None)
    return None if v is None else SLOW


def _fast_id(v: Any) -> Any:
    if v.__class__ is str and v[:1] != "#" and not v[:1].isspace():
        s = " ".join(v.split())
        return s.upper() if s else None
    return None if v is None else SLOW


def _fast_ids(v: Any) -> Any:
    if v is None:
        return ()
    if v.__class__ is str and v[:1] != "#" and not v[:1].isspace():
        if "," in v or ";" in v or "\n" in v:
            return SLOW
        s = " ".join(v.split())
        return (s.upper(),) if s else ()
    return SLOW


def _fast_number(v: Any) -> Any:
    if v.__class__ is float:
        return v if math.isfinite(v) else SLOW
    if v.__class__ is int:
        return float(v)
    return None if v is None else SLOW


def _fast_percent(v: Any) -> Any:
    if v.__class__ is float and 0.0 <= v <= 100.0:  # NaN fails both
        if v <= 1.0:
            return v
        if v.is_integer():
            return v / 100.0
    return None if v is None else SLOW  # out of range, 1.5, text: the full parser decides


def _fast_date(v: Any) -> Any:
    if v.__class__ is datetime:
        return v.date()
    if v.__class__ is date:
        return v
    return None if v is None else SLOW


def _fast_period(v: Any) -> Any:
    if v.__class__ is datetime or v.__class__ is date:
        return date(v.year, v.month, 1)
    return None if v is None else SLOW


def _fast_yesno(v: Any) -> Any:
    if v.__class__ is bool:
        return v
    if v.__class__ is str and v[:1] != "#":
        t = v.strip().lower()
        if t in _YES:
            return True
        if t in _NO:
            return False
    return None if v is None else SLOW


def _fast_choice(choices: tuple[str, ...]):
    # Exactly-typed choices only, and only when that choice is the one parse_choice would pick.
    exact = {c: c for c in choices if next(x for x in choices if _canon(x) == _canon(c)) == c}

    def parse(v: Any) -> Any:
        if v.__class__ is str:
            return exact.get(v, SLOW)
        return None if v is None else SLOW

    return parse


def _fast_blank(v: Any) -> Any:
    return None if v is None else SLOW


def fast_parser(kind_name: str, choices: tuple[str, ...] = ()) -> Any:
    """A parser of the common clean cells of a column kind; SLOW for anything else.

    A blank cell (None) gives what the full parser gives: None, or the empty tuple for IDS.
    """
    return {
        "TEXT": _fast_text,
        "ID": _fast_id,
        "IDS": _fast_ids,
        "MONEY": _fast_number,
        "NUMBER": _fast_number,
        "PERCENT": _fast_percent,
        "DATE": _fast_date,
        "PERIOD": _fast_period,
        "YESNO": _fast_yesno,
    }.get(kind_name) or (_fast_choice(choices) if kind_name == "CHOICE" else _fast_blank)


_NUMBERS = frozenset({bool, int, float})  # kinds of number that compare equal (1 == 1.0 == True)
_FLOAT_OR_BLANK = frozenset({float, type(None)})


def fast_column(kind_name: str, choices: tuple[str, ...], cells: list[Any]) -> list[Any]:
    """fast_parser mapped over a column, with the same result, in less time on large tables.

    A column of finite floats (and blanks) in a money or number column is its own result. Where
    values repeat (IDs, dropdown values, dates), each distinct value is parsed once — unless the
    column mixes kinds of number (1, 1.0 and True are one dictionary key) or holds floats
    (0.0 and -0.0 are one key). tests/bench/test_reader_fast_path.py compares it with the map.
    """
    fast = fast_parser(kind_name, choices)
    try:
        types = set(map(type, cells))
        if kind_name in ("MONEY", "NUMBER") and types <= _FLOAT_OR_BLANK:
            if math.isfinite(sum(filter(None, cells))):  # one inf or NaN makes the sum so
                return list(cells)
        elif float not in types and len(types & _NUMBERS) <= 1:
            distinct = set(cells)
            if 2 * len(distinct) < len(cells):
                memo = {v: fast(v) for v in distinct}
                return list(map(memo.__getitem__, cells))
            if kind_name in ("TEXT", "ID") and types <= _TEXT_OR_BLANK:
                texts = _texts(kind_name, cells)
                if texts is not None:
                    return texts
    except TypeError:  # an unhashable value (grids hold plain values; kept safe all the same)
        pass
    return list(map(fast, cells))


_TEXT_OR_BLANK = frozenset({str, type(None)})
_FIRST = slice(0, 1)


def _texts(kind_name: str, cells: list[Any]) -> list[Any] | None:
    """_fast_text or _fast_id over a column of texts and blanks, in C loops (map).

    None when a text starts with # or a space (it may be an error value: the per-cell path
    decides) or is longer than a cell can hold.
    """
    texts = [v for v in cells if v is not None] if None in cells else cells
    firsts = list(map(getitem, texts, repeat(_FIRST)))  # v[:1]
    if "#" in firsts or any(map(str.isspace, firsts)):
        return None
    if kind_name == "ID":
        out = list(map(str.upper, map(" ".join, map(str.split, texts))))
    else:
        out = list(map(str.strip, texts))
        if out and max(map(len, out)) > 32767:
            return None
    if "" in out:
        out = [s or None for s in out]
    if texts is not cells:
        given = iter(out)
        out = [None if v is None else next(given) for v in cells]
    return out
