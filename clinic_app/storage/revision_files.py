"""The shipped migration graph, read from the revision files' `revision` and `down_revision`
constants without importing Alembic.

Opening a store only has to know whether its schema is already at the heads, and importing
Alembic (with Mako and Pygments) costs about half a second of every start for that one answer.
The files are read as text, never executed: a file whose constants are not plain literals makes
the reading fail (None), and the caller then asks Alembic, which stays the authority — it runs
every upgrade, and tests/storage/test_revision_files.py holds this reading equal to its
ScriptDirectory for the shipped files.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TypeGuard

# A top-level assignment of either constant: the file is parsed only up to the last one (a
# revision file's module constants come before its migration code, which may be long).
_CONSTANT_LINE = re.compile(r"^(?:revision|down_revision)\b[^\n]*", re.MULTILINE)
_NAMES = frozenset({"revision", "down_revision"})
# Alembic refuses revision ids holding these (its relative and branch syntax).
_ILLEGAL = frozenset("@-+")


@dataclass(frozen=True)
class RevisionGraph:
    revisions: frozenset[str]
    heads: frozenset[str]


def versions_dir() -> Path:
    # The scripts ship as data files in a frozen build too (installer/pyinstaller spec), so
    # the package's resource folder is a real directory either way.
    return Path(str(resources.files("clinic_app.storage") / "migrations" / "versions"))


def shipped_graph() -> RevisionGraph | None:
    """The graph of the installed migration files, or None when it can't be read without
    Alembic. Read again only when the files change (a developer adding a revision)."""
    directory = versions_dir()
    try:
        signature = tuple(
            sorted((entry.name, entry.stat().st_mtime_ns) for entry in _revision_files(directory))
        )
    except OSError:
        return None
    return _graph_for(directory, signature)


@functools.lru_cache(maxsize=4)
def _graph_for(directory: Path, _signature: tuple[tuple[str, int], ...]) -> RevisionGraph | None:
    return read_graph(directory)


def read_graph(directory: Path) -> RevisionGraph | None:
    """The revisions and heads of the scripts in `directory`, or None when any script's
    constants are not plain literals, a revision is declared twice or a parent is missing —
    cases Alembic either reads differently or refuses, so it must be the one to answer."""
    parents: dict[str, tuple[str, ...]] = {}
    try:
        files = sorted(_revision_files(directory))
    except OSError:
        return None
    for path in files:
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        constants = _constants(source)
        if constants is None or constants[0] in parents:
            return None
        revision, down = constants
        parents[revision] = down
    if not parents:
        return None
    referenced = {parent for down in parents.values() for parent in down}
    if not referenced <= parents.keys():
        return None
    revisions = frozenset(parents)
    return RevisionGraph(revisions, revisions - referenced)


def _revision_files(directory: Path) -> Iterable[Path]:
    # The files Alembic loads from a version location: *.py, neither __init__ nor an editor's
    # lock file (alembic.script.base._only_source_rev_file).
    return (
        entry
        for entry in directory.iterdir()
        if entry.name.endswith(".py")
        and not entry.name.startswith(("__init__", ".#"))
        and entry.is_file()
    )


def _constants(source: str) -> tuple[str, tuple[str, ...]] | None:
    ends = [match.end() for match in _CONSTANT_LINE.finditer(source)]
    if not ends:
        return None
    # The prefix fails to parse when it stops inside a statement (a tuple over several lines,
    # a docstring quoting `revision = ...`): then the whole file is parsed.
    for text in (source[: max(ends)], source):
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        return _literal_constants(tree)
    return None


def _literal_constants(tree: ast.Module) -> tuple[str, tuple[str, ...]] | None:
    values: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name) and target.id in _NAMES:
                try:
                    values[target.id] = ast.literal_eval(value)
                except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
                    return None
            elif _NAMES & {name.id for name in ast.walk(target) if isinstance(name, ast.Name)}:
                return None  # unpacking or subscripting: not a plain constant
    revision = values.get("revision")
    if not _is_revision_id(revision) or "down_revision" not in values:
        return None
    down = _parents(values["down_revision"])
    return None if down is None else (revision, down)


def _parents(value: object) -> tuple[str, ...] | None:
    if value is None:
        return ()
    parents = (value,) if isinstance(value, str) else value
    if isinstance(parents, tuple | list) and all(_is_revision_id(v) for v in parents):
        return tuple(parents)
    return None


def _is_revision_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value) and not _ILLEGAL & set(value)
