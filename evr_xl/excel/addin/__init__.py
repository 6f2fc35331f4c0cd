"""The EVR Excel add-in, built from text: ribbon XML, VBA sources and the config sheet.

`build.build_addin()` turns xlwings' BSD quickstart ribbon add-in into `evr_addin.xlam`.
Below it: `ovba` ([MS-OVBA] compression and the `dir` stream), `cfb` (a small [MS-CFB]
compound-file reader/writer), `vbaproject` (module sources -> `vbaProject.bin`) and `customui`
(the ribbon XML). None of them needs Excel, oletools or olefile. Beside them, `udf_wrappers`
regenerates the committed worksheet-function wrappers (`vba/xlwings_udfs.bas`) with xlwings.
"""
