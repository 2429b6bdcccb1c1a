"""clinic_app: an offline-first desktop clinic application with an encrypted local store."""

__version__ = "0.1.0"
