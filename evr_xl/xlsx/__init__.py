"""The spreadsheet-file layer: the .xlsx format, knowing nothing of programmes.

It imports nothing from the rest of evr_xl (a test keeps it so). What it owns:

- package.py   safe opening: the guards that run before any part is inflated (WorkbookError)
- sheetscan.py the quick pre-scan of each sheet's XML (extent, error cells, entity declarations)
- parts.py     the zip package and the XML surgery on its shared parts (workbook, rels, types)
- sheet.py     a worksheet as plain data: SheetSpec, CellSpec, Table, styles, print settings,
               and the escaping of user text
- cellxml.py   a sheet's cells converted to XML pieces and the formats they use
- styles.py    the styles.xml patch that adds those formats once
- sheetxml.py  the worksheet part written from the converted cells
- writer.py    the byte-safe part writer: sheets into a workbook, everything else kept byte for
               byte
- replace.py   the file around it: fingerprint, lock, backup and atomic replace
- golden.py    a readable dump of a generated workbook (cells, formats, names) for golden tests
"""
