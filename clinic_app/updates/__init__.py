"""Signed builds: artifact and bundle verification, and installing updates side by side."""
