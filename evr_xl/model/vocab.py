"""Closed vocabularies of the workbook contract (the dropdown lists) and stage-gate defaults."""

PROGRAM_TYPES = (
    "PMI",
    "Divestiture",
    "Transformation",
    "Technology programme",
    "Manufacturing consolidation",
    "Other",
)
PERIOD_TYPES = ("Month", "Quarter")
STAGES = ("L0", "L1", "L2", "L3", "L4", "L5")
CATEGORIES = (
    "Cost synergy",
    "Revenue synergy",
    "Working capital",
    "Capex avoidance",
    "Cost avoidance",
    "Dis-benefit",
    "Other",
)
# Value types (PRODUCT.md, metric 14): the promise is a P&L run-rate; cash and capex are shown
# apart. Every category not listed here is P&L.
PNL, CASH, CAPEX = "P&L", "cash", "capex"
VALUE_TYPES = (PNL, CASH, CAPEX)
VALUE_TYPE_OF_CATEGORY = {"Working capital": CASH, "Capex avoidance": CAPEX}


def value_type(category: str | None) -> str:
    """P&L, cash or capex for a driver category (anything not cash or capex is P&L)."""
    return VALUE_TYPE_OF_CATEGORY.get(category or "", PNL)


RECURRENCES = ("Recurring", "One-off")
RAMP_PROFILES = ("Linear", "S-curve", "Step", "Custom")
ITEM_TYPES = ("Milestone", "Task")
ITEM_STATUSES = ("Not started", "In progress", "Complete", "At risk", "Blocked", "Cancelled")
YES_NO = ("Yes", "No")
COST_TYPES = ("One-off", "Recurring")
RISK_STATUSES = ("Open", "Closed")
MONTHS = tuple(str(m) for m in range(1, 13))

DEFAULT_STAGE_GATES = (
    ("L0", "Idea", "A hypothesis worth sizing.", 0.10),
    ("L1", "Identified", "Sized, with an owner and a KPI.", 0.25),
    ("L2", "Validated", "Business case validated by the workstream and finance.", 0.50),
    ("L3", "Planned", "Finance-approved plan, locked; enabling work planned.", 0.75),
    ("L4", "Executed", "All enabling work done; value starting to flow.", 0.90),
    ("L5", "Realized", "Finance signed off; in the P&L.", 1.00),
)
