"""Administration: user accounts, the audit log, backups."""
