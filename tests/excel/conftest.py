"""The real xlwings UDF machinery on Linux, with pywin32 stand-ins (EXCEL_FACTS.md).

`evr_xl.excel.xlwings_linux.windows_udfs` installs the stand-ins, rebinds the decorators to the
real ones before `udfs.evr_functions` is imported and makes xlwings' Windows engine active, so
`call_udf` runs xlwings' own argument and return conversion. It undoes all of it afterwards, so
tests elsewhere in the same run see the ordinary Linux xlwings. These are xlwings internals
(pinned to 0.37.8 in pyproject.toml); that module is the one place that depends on them.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import pytest

from evr_xl.excel.xlwings_linux import UDF_MODULE, windows_udfs


@pytest.fixture(scope="session")
def xl() -> Iterator[tuple[ModuleType, ModuleType]]:
    """(xlwings.udfs, udfs.evr_functions) with the real Windows decorators and conversion."""
    with windows_udfs(UDF_MODULE) as pair:
        yield pair
