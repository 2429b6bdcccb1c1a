"""The code picker and the suggest-from-note panel (issue 5)."""
