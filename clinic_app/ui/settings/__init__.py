"""The Settings dialog: this workstation's settings, and which of them IT locked."""
