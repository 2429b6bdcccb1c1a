"""Printing results: JSON for scripts, aligned text for people."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import click


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def emit_json(value: Any) -> None:
    click.echo(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2, sort_keys=False))


def emit_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        click.echo("(none)")
        return
    cells = [[("" if c is None else str(c)) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in cells:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


class ConsoleProgress:
    """Progress on stderr, so stdout stays clean for --json."""

    def __init__(self, enabled: bool = True) -> None:
        # Only for a person watching a terminal; logs and pipes get no carriage-return noise.
        self._enabled = enabled and sys.stderr.isatty()
        self._last: tuple[str, int] = ("", -1)

    def report(self, done: int, total: int, message: str = "") -> None:
        if not self._enabled:
            return
        percent = int(done * 100 / total) if total else -1
        if (message, percent) == self._last:
            return
        if message != self._last[0] and self._last[0]:
            click.echo("", err=True)
        self._last = (message, percent)
        suffix = f" {percent:3d}%" if percent >= 0 else ""
        click.echo(f"\r{message}{suffix}", err=True, nl=False)
