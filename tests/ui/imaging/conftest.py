"""Fixtures for the imaging GUI tests: pydicom's shipped files, the small quadrant test model
(signed with a test IT key), and the imaging page over the real encrypted store."""

from importlib.util import find_spec

if find_spec("PySide6") is None:
    collect_ignore_glob = ["test_*.py"]
else:
    from tests.imaging.conftest import (  # noqa: F401 - fixtures are found by name
        it_key,
        signed_pack,
        trusted_data_dir,
        tumour_pack_dir,
    )
    from tests.ui.imaging.imaging_fixtures import (  # noqa: F401
        imaging_page,
        quadrant_model,
        screens,
    )
