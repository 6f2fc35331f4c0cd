"""The horizon and the ramps: which periods the engine computes over, and r(p) per driver.

A period is a whole-number ordinal (evr_xl.model.periods): month = 12*year + month - 1, quarter =
4*year + quarter - 1. Dates inside a quarterly programme bucket into their quarter. Ramps are
evaluated for many drivers at many ordinals at once (numpy broadcasting), including ordinals
outside the horizon, because a slipped forecast reads the plan s periods earlier.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np

from evr_xl.model.periods import PeriodType, label, ordinal
from evr_xl.model.records import ProgramSettings

LINEAR, STEP, S_CURVE, CUSTOM = 0, 1, 2, 3
PROFILE_CODES = {"linear": LINEAR, "step": STEP, "s-curve": S_CURVE, "custom": CUSTOM}
S_CURVE_STEEPNESS = 10.0  # logistic slope over the normalised ramp [0, 1]

# A label per (ordinal, period type), made once: thousands of rows and findings share a few
# dozen periods.
_label = lru_cache(maxsize=4096)(label)


@dataclass(frozen=True)
class Horizon:
    """The periods of a programme: first..last ordinal, the as-of period T and k per year."""

    first: int
    last: int
    as_of: int
    period_type: PeriodType

    @classmethod
    def of(cls, settings: ProgramSettings) -> Horizon:
        pt = settings.period_type
        return cls(
            first=ordinal(settings.first_period, pt),
            last=ordinal(settings.last_period, pt),
            as_of=ordinal(settings.as_of, pt),
            period_type=pt,
        )

    @property
    def per_year(self) -> int:
        """k: 12 for months, 4 for quarters."""
        return self.period_type.per_year

    @property
    def n(self) -> int:
        """Number of periods (0 when the last period is before the first)."""
        return max(0, self.last - self.first + 1)

    @property
    def ordinals(self) -> np.ndarray:
        return np.arange(self.first, self.first + self.n, dtype=np.int64)

    @property
    def labels(self) -> list[str]:
        return list(map(self.label, self.ordinals.tolist()))

    @property
    def to_date_mask(self) -> np.ndarray:
        """True for periods p <= T."""
        return self.ordinals <= self.as_of

    def label(self, n: int) -> str:
        return _label(n, self.period_type)

    def ordinal(self, d: date) -> int:
        """A date (any day inside the period) -> its period ordinal."""
        return ordinal(d, self.period_type)

    def ordinals_of(self, dates: Iterable[date | None]) -> np.ndarray:
        """Dates -> ordinals as floats (NaN for a missing date), vectorisable downstream.

        Each distinct date is converted once: thousands of rows share a few dozen periods."""
        dates = list(dates)
        memo = {d: np.nan if d is None else float(ordinal(d, self.period_type)) for d in set(dates)}
        return np.fromiter(map(memo.__getitem__, dates), dtype=float, count=len(dates))


def profile_code(profile: str | None) -> int:
    """The ramp profile text -> its code; anything unknown ramps linearly (the default)."""
    return PROFILE_CODES.get((profile or "linear").strip().lower(), LINEAR)


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-S_CURVE_STEEPNESS * (x - 0.5)))


@dataclass(frozen=True)
class Ramps:
    """Ramp start, full run-rate period and profile of D drivers, plus their Custom plans.

    `full` is already the effective full-run-rate period: never before the ramp start (a driver
    whose full-run-rate period is before its ramp start reaches 100% at its ramp start).
    `custom` is a dense D x W matrix of Value Plan amounts for ordinals custom_first.. (zeros for
    drivers that are not Custom).
    """

    start: np.ndarray  # (D,) int
    full: np.ndarray  # (D,) int, >= start
    profile: np.ndarray  # (D,) int codes
    custom: np.ndarray  # (D, W) float
    custom_first: int

    @classmethod
    def build(
        cls,
        start: np.ndarray,
        full: np.ndarray,
        profile: np.ndarray,
        custom_points: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> Ramps:
        """custom_points = (driver index, ordinal, amount) arrays of Value Plan cells."""
        start = np.asarray(start, dtype=np.int64)
        full = np.maximum(np.asarray(full, dtype=np.int64), start)
        d = len(start)
        if custom_points is None or len(custom_points[0]) == 0:
            return cls(start, full, np.asarray(profile), np.zeros((d, 0)), 0)
        idx, ords, amounts = custom_points
        lo, hi = int(ords.min()), int(ords.max())
        dense = np.zeros((d, hi - lo + 1))
        np.add.at(dense, (idx, ords - lo), amounts)
        return cls(start, full, np.asarray(profile), dense, lo)

    def fraction(self, ords: np.ndarray) -> np.ndarray:
        """r(p) for each driver (row) at ordinals `ords` (D x m, or broadcastable to it)."""
        start = self.start[:, None]
        n = (self.full - self.start + 1)[:, None].astype(float)
        x = np.clip((ords - start + 1) / n, 0.0, 1.0)
        s = (_logistic(x) - _logistic(np.zeros(1))) / (
            _logistic(np.ones(1)) - _logistic(np.zeros(1))
        )
        s = np.where(x <= 0.0, 0.0, np.where(x >= 1.0, 1.0, s))
        step = (ords >= self.full[:, None]).astype(float)
        code = self.profile[:, None]
        return np.where(code == STEP, step, np.where(code == S_CURVE, s, x))

    def custom_amount(self, ords: np.ndarray) -> np.ndarray:
        """The Value Plan amount of each driver at `ords` (0 outside the typed periods)."""
        ords = np.broadcast_to(ords, (len(self.start), np.shape(ords)[-1]))
        width = self.custom.shape[1]
        if width == 0:
            return np.zeros(ords.shape)
        pos = ords - self.custom_first
        inside = (pos >= 0) & (pos < width)
        rows = np.arange(len(self.start))[:, None]
        return np.where(inside, self.custom[rows, np.clip(pos, 0, width - 1)], 0.0)


@dataclass(frozen=True)
class PlanModel:
    """plan(p) and planned run-rate(p) for D drivers, signed (dis-benefits negative).

    Recurring: plan(p) = R/k x r(p), planned run-rate = R x r(p). One-off: plan(p) = R x (r(p) -
    r(p-1)), so the plan spreads R over the ramp periods by the profile and sums to R. Custom:
    plan(p) is the Value Plan amount; a Custom recurring driver's planned run-rate is plan(p) x k.
    """

    ramps: Ramps
    target: np.ndarray  # (D,) R as typed
    sign: np.ndarray  # (D,) +1 benefit, -1 dis-benefit
    recurring: np.ndarray  # (D,) bool
    per_year: int

    @property
    def signed_target(self) -> np.ndarray:
        return self.sign * self.target

    def plan(self, ords: np.ndarray) -> np.ndarray:
        r = self.ramps.fraction(ords)
        r_prev = self.ramps.fraction(ords - 1)
        target = self.signed_target[:, None]
        formula = np.where(
            self.recurring[:, None], target / self.per_year * r, target * (r - r_prev)
        )
        custom = self.ramps.profile[:, None] == CUSTOM
        sign = self.sign[:, None]
        return np.where(custom, sign * self.ramps.custom_amount(ords), formula)

    def run_rate(self, ords: np.ndarray) -> np.ndarray:
        """Planned annual run-rate at `ords` (0 for one-off drivers)."""
        r = self.ramps.fraction(ords)
        custom = self.ramps.profile[:, None] == CUSTOM
        sign = self.sign[:, None]
        rate = np.where(
            custom,
            sign * self.ramps.custom_amount(ords) * self.per_year,
            self.signed_target[:, None] * r,
        )
        return np.where(self.recurring[:, None], rate, 0.0)
