"""Errors of the imaging feature, each with a message for the person at the keyboard."""

from __future__ import annotations

from clinic_app.errors import ClinicError


class ImagingError(ClinicError):
    pass


class UnreadableImageError(ImagingError):
    """A file could not be read as an image: damaged, truncated, or not an image at all."""


class UnsupportedImageError(ImagingError):
    """A well-formed file this application cannot decode (format or compression)."""


class ModelPackError(ImagingError):
    """A model pack is missing, malformed, untrusted or does not match its manifest."""


class ModelIntegrityError(ModelPackError):
    """The model file's SHA-256 differs from the manifest's: the pack is refused."""


class InferenceError(ImagingError):
    """The model could not be run on this input."""
