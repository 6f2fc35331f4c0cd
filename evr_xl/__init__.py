"""EVR-XL: govern the value a programme delivers, inside Excel.

Layers (inner never imports outer): model -> engine, checks -> outputs, boardpack ->
workbook (files), excel (live book) -> cli. See docs/architecture.md.
"""

__version__ = "0.1.0"
