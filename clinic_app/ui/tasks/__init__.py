"""Background work for the GUI: lanes, progress, cancel, results back on the GUI thread."""
