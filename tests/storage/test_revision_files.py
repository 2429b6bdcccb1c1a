"""The migration graph read from the revision files' constants must be Alembic's graph: for the
shipped scripts, and for every shape of script directory a feature branch could produce. When
a file can't be read as plain constants the reading gives up (None) instead of guessing."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from clinic_app.storage.migrate import (
    alembic_head_revisions,
    alembic_known_revisions,
    head_revisions,
    known_revisions,
)
from clinic_app.storage.revision_files import RevisionGraph, read_graph, shipped_graph, versions_dir


def _alembic_graph(location: Path) -> RevisionGraph:
    config = Config()
    config.set_main_option("script_location", str(location))
    scripts = ScriptDirectory.from_config(config)
    revisions = frozenset(script.revision for script in scripts.walk_revisions())
    return RevisionGraph(revisions, frozenset(scripts.get_heads()))


def _script_dir(tmp_path: Path, files: dict[str, str]) -> Path:
    """An Alembic script location (what `versions` needs around it) holding `files`."""
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    (tmp_path / "migrations" / "script.py.mako").write_text("")
    for name, text in files.items():
        (versions / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return versions


def _script(revision: str, down: str) -> str:
    return f'"""{revision}"""\nrevision = "{revision}"\ndown_revision = {down}\n'


def test_the_shipped_graph_is_alembics() -> None:
    graph = shipped_graph()
    assert graph is not None
    assert graph == _alembic_graph(versions_dir().parent)
    assert head_revisions() == alembic_head_revisions() == set(graph.heads)
    assert known_revisions() == alembic_known_revisions() == set(graph.revisions)
    # Per-feature branches from the base: more than one head, every head a known revision.
    assert len(graph.heads) > 1
    assert graph.heads <= graph.revisions


def test_branches_merges_and_every_spelling_alembic_accepts(tmp_path: Path) -> None:
    versions = _script_dir(
        tmp_path,
        {
            "a_base.py": "revision = 'a1'\ndown_revision = None\n",
            "b_branch.py": _script("b1", "'a1'"),
            "c_branch.py": "revision: str = 'c1'\ndown_revision: str | None = 'a1'\n",
            # A merge of two branches, its parents over several lines.
            "d_merge.py": 'revision = "d1"\ndown_revision = (\n    "b1",\n    "c1",\n)\n',
            "e_list.py": _script("e1", '["a1"]'),
            "f_late.py": 'import sqlalchemy as sa\n\n\nrevision = "f1"\ndown_revision = "e1"\n'
            "depends_on = 'b1'\n\n\ndef upgrade() -> None:\n    pass\n",
            # Neither __init__ nor an editor's lock file nor a non-.py file is a revision.
            "__init__.py": "",
            ".#d_merge.py": "not python at all (",
            "notes.txt": "revision = 'zz'\ndown_revision = None\n",
        },
    )
    (versions / "sub.py").mkdir()  # a folder named like a script is not one
    graph = read_graph(versions)
    assert graph == RevisionGraph(
        frozenset({"a1", "b1", "c1", "d1", "e1", "f1"}), frozenset({"d1", "f1"})
    )
    assert graph == _alembic_graph(versions.parent)


def test_constants_quoted_in_the_docstring_do_not_count(tmp_path: Path) -> None:
    text = '"""Example of the syntax:\nrevision = "wrong"\ndown_revision = "nope"\n"""\n'
    versions = _script_dir(
        tmp_path,
        {
            "base.py": "revision = 'a1'\ndown_revision = None\n",
            "doc.py": text + "revision = 'b1'\ndown_revision = 'a1'\n",
        },
    )
    graph = read_graph(versions)
    assert graph == RevisionGraph(frozenset({"a1", "b1"}), frozenset({"b1"}))
    assert graph == _alembic_graph(versions.parent)


def test_a_long_migration_body_is_read_correctly(tmp_path: Path) -> None:
    body = "".join(f"\ndef step_{n}() -> None:\n    x = {n}\n" for n in range(20_000))
    versions = _script_dir(
        tmp_path,
        {
            "base.py": "revision = 'a1'\ndown_revision = None\n" + body,
            "next.py": _script("b1", "'a1'") + body,
        },
    )
    assert read_graph(versions) == RevisionGraph(frozenset({"a1", "b1"}), frozenset({"b1"}))


@pytest.mark.parametrize(
    "text",
    [
        'revision = "a" + "1"\ndown_revision = None\n',  # computed, not a literal
        "revision = REV\ndown_revision = None\n",
        'revision, down_revision = "a1", None\n',  # unpacking
        'revision = "a1"\n',  # no down_revision
        "down_revision = None\n",  # no revision
        'revision = ""\ndown_revision = None\n',
        "revision = 7\ndown_revision = None\n",
        'revision = "a-1"\ndown_revision = None\n',  # Alembic's relative syntax
        'revision = "a1"\ndown_revision = 7\n',
        'revision = "a1"\ndown_revision = ("ok", None)\n',
        'revision = "a1"\ndown_revision = (\n"a0",\n',  # the constants don't parse
        'revision = "a1"\ndown_revision = ' + "(" * 5_000 + "None" + ")" * 5_000 + "\n",
        'revision = "a1\x00"\ndown_revision = None\n',
        "# nothing here\n",
        "",
    ],
)
def test_a_file_that_is_not_plain_constants_defers_to_alembic(tmp_path: Path, text: str) -> None:
    versions = _script_dir(tmp_path, {"base.py": "revision = 'base'\ndown_revision = None\n"})
    (versions / "odd.py").write_text(text, encoding="utf-8")
    assert read_graph(versions) is None


def test_undecodable_duplicate_or_dangling_revisions_defer_to_alembic(tmp_path: Path) -> None:
    versions = _script_dir(tmp_path, {"base.py": "revision = 'a1'\ndown_revision = None\n"})
    assert read_graph(versions) is not None
    (versions / "latin.py").write_bytes(b"revision = 'b1'  # caf\xe9\ndown_revision = 'a1'\n")
    assert read_graph(versions) is None
    (versions / "latin.py").unlink()
    (versions / "again.py").write_text("revision = 'a1'\ndown_revision = None\n")
    assert read_graph(versions) is None
    (versions / "again.py").unlink()
    (versions / "orphan.py").write_text("revision = 'b1'\ndown_revision = 'missing'\n")
    assert read_graph(versions) is None


def test_an_empty_or_missing_folder_has_no_graph(tmp_path: Path) -> None:
    assert read_graph(_script_dir(tmp_path, {"__init__.py": ""})) is None
    assert read_graph(tmp_path / "nowhere") is None
