"""Shared fixtures for the add-in tests: xlwings' template, our sources, the committed add-in."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from evr_xl.excel.addin import build


@pytest.fixture(scope="session")
def template_vba() -> bytes:
    """The donor: `xl/vbaProject.bin` of xlwings' quickstart ribbon add-in."""
    with zipfile.ZipFile(build.template_path()) as zf:
        return zf.read("xl/vbaProject.bin")


@pytest.fixture(scope="session")
def sources() -> dict[str, str]:
    return build.vba_sources()


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The add-in as the builder produces it now, in a temporary folder."""
    return build.build_addin(tmp_path_factory.mktemp("addin") / "evr_addin.xlam")


@pytest.fixture(scope="session")
def built_vba(built: Path) -> bytes:
    with zipfile.ZipFile(built) as zf:
        return zf.read("xl/vbaProject.bin")
