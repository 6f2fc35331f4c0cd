"""The value engine: pure functions from ProgramData to metrics (plan, realized, run-rate,
forecast, value at risk, workstream and programme roll-ups, RAG). No Excel library inside."""

from evr_xl.engine.metrics import Results, compute
from evr_xl.engine.periods import Horizon
from evr_xl.engine.rollups import ProgramMetrics

__all__ = ["Horizon", "ProgramMetrics", "Results", "compute"]
