"""Docs are part of the work: every command and every finding code is documented."""

from __future__ import annotations

import argparse
from pathlib import Path

import evr_xl.checks  # noqa: F401  (registers the traceability codes)
from evr_xl.cli import build_parser
from evr_xl.findings import CATALOGUE

DOCS = Path(__file__).resolve().parent.parent / "docs"


def commands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(sub.choices)


def test_every_command_has_a_section_in_cli_md() -> None:
    text = (DOCS / "cli.md").read_text()
    missing = [c for c in commands() if f"## `evr {c}" not in text]
    assert missing == []


def test_every_option_of_every_command_is_mentioned() -> None:
    text = (DOCS / "cli.md").read_text()
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    missing = [
        f"{name} {opt}"
        for name, p in sub.choices.items()
        for a in p._actions
        for opt in a.option_strings
        if opt.startswith("--") and opt != "--help" and opt not in text
    ]
    assert missing == []


def test_every_finding_code_is_documented() -> None:
    text = (DOCS / "findings.md").read_text()
    assert [code for code in sorted(CATALOGUE) if code not in text] == []
