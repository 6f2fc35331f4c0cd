"""The pure core stays pure: engine and checks import neither openpyxl nor xlwings."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import evr_xl.engine, evr_xl.checks
bad = sorted(m for m in sys.modules if m.split('.')[0] in ('openpyxl', 'xlwings'))
print(','.join(bad))
"""


def test_engine_and_checks_import_no_excel_library() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == ""
