"""The pack's sheet names, in page order (each <= 31 characters, no [ ] : * ? / \\)."""

from __future__ import annotations

SHEETS: tuple[str, ...] = (
    "Cover",
    "Value bridge",
    "Workstreams",
    "Value at risk",
    "Trajectory",
    "Traceability",
    "Since last SteerCo",
    "Decisions",
)
