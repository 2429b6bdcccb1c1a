"""The clinical GUI tests run on a store with a small ICD-10-CM excerpt and HCPCS codes."""

from importlib.util import find_spec

if find_spec("PySide6") is None:
    collect_ignore_glob = ["test_*.py"]
else:
    from tests.ui.records.clinical_store import (  # noqa: F401 - fixtures are found by name
        clinical_template,
        services,
    )
