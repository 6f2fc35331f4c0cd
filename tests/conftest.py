"""Fixtures shared by test folders."""

from __future__ import annotations

import io

import openpyxl
import pytest


@pytest.fixture(scope="session")
def blank() -> bytes:
    """A one-sheet workbook ("Program") as bytes: somewhere to render output sheets into."""
    wb = openpyxl.Workbook()
    wb.active.title = "Program"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
