"""The read-only, row-selecting table every records list uses (timeline, attachments, inbox…)."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


def list_table(
    model: QAbstractItemModel,
    name: str,
    *,
    stretch: int,
    widths: Mapping[int, int],
    multi_select: bool = False,
    word_wrap: bool = False,
    alternating: bool = True,
) -> QTableView:
    """A table over `model`: whole rows selected, no editing, column `stretch` takes the room
    left by the fixed `widths`."""
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(
        QAbstractItemView.SelectionMode.ExtendedSelection
        if multi_select
        else QAbstractItemView.SelectionMode.SingleSelection
    )
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(alternating)
    table.setShowGrid(False)
    table.setWordWrap(word_wrap)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 12)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    for column, width in widths.items():
        header.resizeSection(column, width)
    return table
