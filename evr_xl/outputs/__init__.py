"""Output sheets as descriptions (SheetSpec), built from the engine results; rendered by the file writer and the live adapter."""
