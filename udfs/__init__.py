"""Worksheet functions (xlwings UDFs) of EVR-XL; the add-in's UDF module is udfs.evr_functions."""
