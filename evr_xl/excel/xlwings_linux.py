"""xlwings' Windows UDF machinery outside Windows, with pywin32 stand-ins (EXCEL_FACTS.md).

`xlwings.udfs` (the Windows decorators, the VBA wrapper generator and `call_udf`) imports once
stand-ins for pythoncom, pywintypes and win32com are in sys.modules. `windows_udfs()` installs
them, imports `xlwings.udfs`, makes xlwings' Windows engine the active engine (so `call_udf`
runs xlwings' own argument and return conversion), rebinds `xw.func/arg/ret/script/sub` to the
real decorators and only then imports the UDF module, so its functions carry `__xlfunc__`.

On exit everything is undone (stand-in modules, the ctypes names xlwings imports, the engine,
the decorators, the decorated module and the package attributes the imports set), so code that
runs afterwards sees the ordinary xlwings of this platform. These are xlwings internals:
xlwings is pinned to 0.37.8 in pyproject.toml, and this module is the one place that depends on
them. Used by the tests in tests/excel and by the add-in's wrapper generator; never by code that
runs in Excel.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from unittest import mock

PYWIN32_MODULES = (
    "pythoncom",
    "pywintypes",
    "win32api",
    "win32con",
    "win32gui",
    "win32process",
    "win32timezone",
    "win32event",
    "win32com",
    "win32com.client",
    "win32com.client.gencache",
    "win32com.client.dynamic",
    "win32com.server",
    "win32com.server.dispatcher",
    "win32com.server.exception",
    "win32com.server.policy",
    "win32com.server.util",
)
XLWINGS_WINDOWS_MODULES = ("xlwings.udfs", "xlwings._xlwindows", "xlwings.com_server")
UDF_MODULE = "udfs.evr_functions"
_MISSING = object()


class ComError(Exception):
    """pywintypes.com_error: xlwings catches it, so it must be an exception class."""


class TimeType(dt.datetime):
    """pywintypes.TimeType: xlwings treats it as a date (isinstance checks need a real type)."""


def _stand_ins() -> dict[str, object]:
    modules: dict[str, object] = {name: mock.MagicMock(name=name) for name in PYWIN32_MODULES}
    pywintypes = modules["pywintypes"]
    pywintypes.com_error = ComError  # type: ignore[attr-defined]
    pywintypes.error = ComError  # type: ignore[attr-defined]
    pywintypes.TimeType = TimeType  # type: ignore[attr-defined]
    modules["pythoncom"].__file__ = "pythoncom.dll"  # type: ignore[attr-defined]
    return modules


def _parent_attributes(names: tuple[str, ...]) -> dict[tuple[str, str], object]:
    """(parent package, child) -> the attribute the parent holds now (imports overwrite it)."""
    saved: dict[tuple[str, str], object] = {}
    for name in names:
        parent, _, child = name.rpartition(".")
        if parent in sys.modules:
            saved[(parent, child)] = getattr(sys.modules[parent], child, _MISSING)
    return saved


@contextmanager
def windows_udfs(udf_module: str = UDF_MODULE) -> Iterator[tuple[ModuleType, ModuleType]]:
    """(xlwings.udfs, the UDF module) with the real Windows decorators and conversion."""
    import xlwings as xw
    from xlwings.main import Engine

    importlib.import_module(udf_module.rpartition(".")[0] or udf_module)  # its package, if any
    names = (*PYWIN32_MODULES, *XLWINGS_WINDOWS_MODULES, udf_module)
    saved_modules = {n: sys.modules.get(n) for n in names}
    saved_attributes = _parent_attributes((*XLWINGS_WINDOWS_MODULES, udf_module))
    saved_decorators = {n: getattr(xw, n) for n in ("func", "arg", "ret", "script", "sub")}
    saved_engine = xw.engines.active
    added_ctypes = [n for n in ("oledll", "windll") if not hasattr(ctypes, n)]
    real_pydll = ctypes.PyDLL
    added_engine = False
    xlwings_udfs: ModuleType | None = None
    try:
        sys.modules.update(_stand_ins())  # type: ignore[arg-type]
        for name in added_ctypes:
            setattr(ctypes, name, mock.MagicMock(name=f"ctypes.{name}"))
        ctypes.PyDLL = mock.MagicMock(name="ctypes.PyDLL")  # only while _xlwindows is imported
        try:
            for name in XLWINGS_WINDOWS_MODULES:
                sys.modules.pop(name, None)
            xlwings_udfs = importlib.import_module("xlwings.udfs")
            xlwindows = importlib.import_module("xlwings._xlwindows")
        finally:
            ctypes.PyDLL = real_pydll
        added_engine = "excel" not in [e.name for e in xw.engines]
        if added_engine:
            xw.engines.add(Engine(impl=xlwindows.engine))
        xw.engines.active = xw.engines["excel"]
        xw.func, xw.arg, xw.ret = xlwings_udfs.xlfunc, xlwings_udfs.xlarg, xlwings_udfs.xlret
        xw.script = xw.sub = xlwings_udfs.xlsub
        sys.modules.pop(udf_module, None)
        module = importlib.import_module(udf_module)
        yield xlwings_udfs, module
    finally:
        for name, value in saved_decorators.items():
            setattr(xw, name, value)
        if added_engine:
            xw.engines.engines.remove(xw.engines["excel"])
            xw.engines.engines_by_name.pop("excel", None)
        xw.engines.active = saved_engine
        for name in added_ctypes:
            delattr(ctypes, name)
        for name, value in saved_modules.items():
            if value is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = value
        for (parent, child), value in saved_attributes.items():
            if value is _MISSING:
                if hasattr(sys.modules[parent], child):
                    delattr(sys.modules[parent], child)
            else:
                setattr(sys.modules[parent], child, value)
        if xlwings_udfs is not None:
            xlwings_udfs.udf_modules.clear()
