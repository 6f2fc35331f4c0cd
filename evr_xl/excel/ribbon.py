"""The "Value Realization" ribbon tab, declared once: action names, labels, icons and help text.

`ACTIONS` is the single list of ribbon action names; the Python dispatcher
(`evr_xl.excel.actions.run_action`) and the add-in builder both use it. Each button's id *is*
its action name: the VBA callback `EvrRibbon.EvrButton` passes `control.Id` to Python.
Icons are Office built-in images (imageMso), so the add-in carries no picture files.
"""

from __future__ import annotations

from dataclasses import dataclass

ACTIONS: tuple[str, ...] = ("check", "refresh", "boardpack", "rollforward", "help")

TAB_ID = "evrTab"
TAB_LABEL = "Value Realization"
VBA_MODULE = "EvrRibbon"
VBA_CALLBACK = "EvrButton"
ON_ACTION = f"{VBA_MODULE}.{VBA_CALLBACK}"


@dataclass(frozen=True)
class RibbonButton:
    """One ribbon button; `action` is both its control id and the Python action name."""

    action: str
    label: str
    image_mso: str
    screentip: str
    supertip: str
    group: str

    @property
    def macro(self) -> str:
        """The argument-less VBA macro that runs the same action (Alt+F8, Quick Access Toolbar)."""
        return "Evr" + self.label.replace(" ", "")


GROUPS: tuple[tuple[str, str], ...] = (
    ("evrGroupProgramme", "Programme"),
    ("evrGroupReporting", "Reporting"),
    ("evrGroupHelp", "Help"),
)

BUTTONS: tuple[RibbonButton, ...] = (
    RibbonButton(
        "check",
        "Check",
        "AcceptInvitation",
        "Check the programme workbook",
        "Validates every sheet of the active workbook (drivers, baselines, actuals, owners, "
        "stage gates) and lists each problem with its sheet and cell on the Findings sheet.",
        "evrGroupProgramme",
    ),
    RibbonButton(
        "refresh",
        "Refresh",
        "RefreshAll",
        "Recalculate value metrics",
        "Recomputes plan to date, realised value, slippage, forecast and value at risk, and "
        "rewrites the Dashboard and Driver Metrics sheets. Your input sheets are not changed.",
        "evrGroupProgramme",
    ),
    RibbonButton(
        "rollforward",
        "Roll Forward",
        "DateAndTimeInsert",
        "Roll the reporting period forward",
        "Closes the current reporting period and moves the workbook to the next one, keeping "
        "the closed period's figures as the baseline for comparison.",
        "evrGroupProgramme",
    ),
    RibbonButton(
        "boardpack",
        "Board Pack",
        "FileSaveAsPdfOrXps",
        "Build the board pack",
        "Creates the steering committee board pack (KPIs, value at risk, RAG by workstream, "
        "charts) from the current figures, next to the workbook.",
        "evrGroupReporting",
    ),
    RibbonButton(
        "help",
        "Help",
        "Help",
        "EVR-XL help",
        "Shows what each button does, the version of EVR-XL and of Python in use, and where "
        "the add-in reads its settings.",
        "evrGroupHelp",
    ),
)
