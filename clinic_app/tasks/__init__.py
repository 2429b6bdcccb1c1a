"""Progress and cancellation for slow work, shared by the GUI, the CLI and tests (no Qt, no I/O)."""

from clinic_app.tasks.progress import CancelToken, NullProgress, ProgressReporter, RecordingProgress

__all__ = ["CancelToken", "NullProgress", "ProgressReporter", "RecordingProgress"]
