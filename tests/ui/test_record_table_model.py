"""The read-only record table every admin, inbox and worklist model is built on, and the
table-or-empty-state stack their views show it in."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import pytest
from clinic_app.ui.widgets.empty_state import EmptyState
from clinic_app.ui.widgets.record_table_model import (
    RIGHT_ALIGNED,
    ColumnSpec,
    RecordTableModel,
    ordered_columns,
)
from clinic_app.ui.widgets.table_or_empty_state import TableOrEmptyState
from clinic_app.ui.widgets.widget_factories import spread_row, title_bar
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QPushButton, QTableView, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
FLAG_ROLE = Qt.ItemDataRole.UserRole + 2
GREY = QColor("#777777")


@dataclass(frozen=True)
class Item:
    id: int
    name: str
    size: int = 0
    note: str = ""


class ItemColumn(IntEnum):
    NAME = 0
    SIZE = 1


class ItemTableModel(RecordTableModel[Item]):
    def __init__(self, *, deduplicate: bool = False) -> None:
        super().__init__(
            {
                ItemColumn.NAME: ColumnSpec("Name", lambda item: item.name, tooltip=_note),
                ItemColumn.SIZE: ColumnSpec("Size", lambda item: f"{item.size:,}", RIGHT_ALIGNED),
            },
            ITEM_ROLE,
            row_key=(lambda item: item.id) if deduplicate else None,
        )

    def foreground(self, record: Item, column: int) -> QColor | None:
        return GREY if record.size == 0 and column == ItemColumn.SIZE else None

    def extra_data(self, record: Item, column: int, role: int) -> Any:
        return record.size > 100 if role == FLAG_ROLE else None


def _note(item: Item) -> str:
    return item.note


def items(first: int, last: int) -> list[Item]:
    return [Item(n, f"item {n}", n, note="odd" if n % 2 else "") for n in range(first, last)]


def test_the_model_passes_the_model_tester_through_every_change(
    qtmodeltester: ModelTester,
) -> None:
    model = ItemTableModel(deduplicate=True)
    qtmodeltester.check(model)
    model.replace_rows(items(0, 50), has_more=True)
    model.fetchMore(QModelIndex())
    model.append_rows(items(50, 80), has_more=True)
    model.set_row(3, Item(3, "renamed"))
    model.fetch_failed()
    model.replace_rows([], has_more=False)
    qtmodeltester.check(model)


def test_columns_come_from_their_specs_and_the_hooks() -> None:
    model = ItemTableModel()
    model.replace_rows([Item(1, "one", 0, note="a note"), Item(2, "two", 12_345)])
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Size"
    assert model.headerData(2, Qt.Orientation.Horizontal) is None
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    assert model.index(1, ItemColumn.SIZE).data() == "12,345"
    assert model.index(0, ItemColumn.NAME).data(Qt.ItemDataRole.ToolTipRole) == "a note"
    assert model.index(1, ItemColumn.NAME).data(Qt.ItemDataRole.ToolTipRole) is None, "no note"
    assert model.index(0, ItemColumn.SIZE).data(Qt.ItemDataRole.ToolTipRole) is None
    assert model.index(0, ItemColumn.SIZE).data(Qt.ItemDataRole.TextAlignmentRole) == int(
        RIGHT_ALIGNED
    )
    assert model.index(0, ItemColumn.NAME).data(Qt.ItemDataRole.TextAlignmentRole) is None
    assert model.index(0, ItemColumn.SIZE).data(Qt.ItemDataRole.ForegroundRole) == GREY
    assert model.index(0, ItemColumn.NAME).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(1, ItemColumn.NAME).data(FLAG_ROLE) is True
    assert model.index(1, ItemColumn.SIZE).data(ITEM_ROLE) == Item(2, "two", 12_345)
    assert model.index(0, 0).data(Qt.ItemDataRole.DecorationRole) is None
    assert not model.flags(QModelIndex())
    assert model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsSelectable
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable


def test_cells_outside_the_rows_and_columns_have_no_data() -> None:
    model = ItemTableModel()
    model.replace_rows(items(0, 3))
    other = ItemTableModel()
    other.replace_rows(items(0, 10))
    # An index made by another model for a row this one does not have.
    assert model.data(other.index(7, 0)) is None
    assert model.data(model.createIndex(0, 5)) is None
    assert model.data(model.createIndex(-1, 0)) is None
    assert model.data(QModelIndex()) is None
    assert model.record_at(3) is None
    assert model.record_at(-1) is None
    assert model.rowCount(model.index(0, 0)) == 0, "a table: no children"
    assert model.columnCount(model.index(0, 0)) == 0


def test_pages_load_one_at_a_time_and_an_empty_or_failed_page_ends_the_fetch() -> None:
    model = ItemTableModel()
    asked: list[bool] = []
    model.more_requested.connect(lambda: asked.append(True))
    model.replace_rows(items(0, 10), has_more=False)
    assert not model.canFetchMore(QModelIndex()), "nothing more to fetch"
    model.replace_rows(items(0, 10), has_more=True)
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert asked == [True], "one page at a time"
    model.fetch_failed()
    assert model.canFetchMore(QModelIndex()), "a failed page may be asked for again"
    model.fetchMore(QModelIndex())
    model.append_rows([], has_more=True)
    assert model.rowCount() == 10
    assert model.canFetchMore(QModelIndex()), "an empty page still ends the fetch"
    model.fetchMore(QModelIndex())
    model.append_rows(items(10, 20), has_more=False)
    assert model.rowCount() == 20
    assert not model.canFetchMore(QModelIndex())
    assert not model.canFetchMore(model.index(0, 0))
    assert asked == [True, True, True]


def test_the_first_page_replaces_the_rows_and_later_ones_are_appended() -> None:
    model = ItemTableModel()
    model.replace_rows(items(500, 510), has_more=False)
    assert model.take_page(items(0, 10), offset=0, page_size=10), "the first page"
    assert [item.id for item in model.records] == list(range(10))
    assert model.canFetchMore(QModelIndex()), "a full page: there may be more"
    model.fetchMore(QModelIndex())
    assert not model.take_page(items(10, 20), offset=10, page_size=10)
    model.fetchMore(QModelIndex())
    assert not model.take_page(items(20, 23), offset=20, page_size=10)
    assert model.rowCount() == 23
    assert not model.canFetchMore(QModelIndex()), "a short page is the last"
    assert model.take_page([], offset=0, page_size=10)
    assert model.rowCount() == 0
    assert not model.canFetchMore(QModelIndex())


def test_a_page_size_below_one_is_refused_and_changes_nothing() -> None:
    model = ItemTableModel()
    model.replace_rows(items(0, 5), has_more=False)
    for size in (0, -1):
        with pytest.raises(ValueError, match="at least one row"):
            model.take_page(items(5, 10), offset=5, page_size=size)
    assert model.rowCount() == 5
    assert not model.canFetchMore(QModelIndex())


def test_a_page_that_repeats_rows_adds_only_the_new_ones_when_rows_have_a_key() -> None:
    keyed, plain = ItemTableModel(deduplicate=True), ItemTableModel()
    for model in (keyed, plain):
        model.replace_rows(items(0, 10), has_more=True)
        model.append_rows(items(5, 15), has_more=False)
    assert [item.id for item in keyed.records] == list(range(15))
    assert plain.rowCount() == 20, "without a key every row is shown as it came"


def test_a_large_list_is_shown_whole_and_found_by_row() -> None:
    model = ItemTableModel(deduplicate=True)
    model.replace_rows(items(0, 20_000), has_more=True)
    model.append_rows(items(19_000, 40_000), has_more=False)
    assert model.rowCount() == 40_000
    assert model.find_row(lambda item: item.id == 39_999) == 39_999
    assert model.find_row(lambda item: item.name == "nobody") == -1
    assert model.index(39_999, ItemColumn.SIZE).data() == "39,999"


def test_set_row_redraws_the_whole_row(qtbot: QtBot) -> None:
    model = ItemTableModel()
    model.replace_rows(items(0, 5))
    with qtbot.waitSignal(model.dataChanged) as changed:
        model.set_row(2, Item(2, "changed"))
    top, bottom, _roles = changed.args
    assert (top.row(), top.column(), bottom.row(), bottom.column()) == (2, 0, 2, 1)
    assert model.index(2, 0).data() == "changed"
    with pytest.raises(IndexError):
        model.set_row(9, Item(9, "nowhere"))


def test_the_rows_given_are_copied_not_kept() -> None:
    model = ItemTableModel()
    given = items(0, 3)
    model.replace_rows(given)
    given.clear()
    assert model.rowCount() == 3
    assert isinstance(model.records, tuple)


class Gap(IntEnum):
    FIRST = 0
    THIRD = 2


def test_column_specs_must_number_every_column_from_zero() -> None:
    spec: ColumnSpec[Item] = ColumnSpec("Name", lambda item: item.name)
    with pytest.raises(ValueError, match="at least one column"):
        ordered_columns({})
    with pytest.raises(ValueError, match=r"numbered 0 to 1; got \[0, 2\]"):
        ordered_columns({Gap.FIRST: spec, Gap.THIRD: spec})
    with pytest.raises(ValueError, match="numbered 0 to 0"):
        ordered_columns({ItemColumn.SIZE: spec})
    # Given out of order, they are put in column order.
    size: ColumnSpec[Item] = ColumnSpec("Size", lambda item: str(item.size))
    assert ordered_columns({ItemColumn.SIZE: size, ItemColumn.NAME: spec}) == (spec, size)


def test_the_stack_shows_the_empty_state_exactly_when_the_table_has_no_rows(qtbot: QtBot) -> None:
    model = ItemTableModel()
    table = QTableView()
    table.setModel(model)
    empty = EmptyState("inbox")
    stack = TableOrEmptyState(table, empty)
    qtbot.addWidget(stack)
    assert stack.showing_empty_state
    model.replace_rows(items(0, 3), has_more=True)
    assert not stack.showing_empty_state
    assert stack.currentWidget() is table
    model.replace_rows([], has_more=True)
    assert stack.showing_empty_state
    model.fetchMore(QModelIndex())
    model.append_rows(items(0, 1), has_more=False)
    assert stack.currentWidget() is table, "rows appended to an empty list show the table"


def test_the_stack_needs_a_table_with_its_model(qtbot: QtBot) -> None:
    table = QTableView()
    qtbot.addWidget(table)
    with pytest.raises(ValueError, match="model"):
        TableOrEmptyState(table, EmptyState("inbox"))


def test_title_bar_and_spread_row_keep_the_order_they_are_given(qtbot: QtBot) -> None:
    first, second = QPushButton("First"), QPushButton("Second")
    bar = title_bar("Inbox", (first, second))
    host = QWidget()
    qtbot.addWidget(host)
    host.setLayout(bar)  # the widgets get their parent, as in a view
    title = bar.itemAt(0).widget()
    assert isinstance(title, QLabel)
    assert title.text() == "Inbox"
    assert title.objectName() == "pageTitle"
    assert bar.itemAt(1).spacerItem() is not None, "the title on the left, the buttons right"
    assert [bar.itemAt(i).widget() for i in (2, 3)] == [first, second]
    left, right, far_right = QPushButton("Left"), QPushButton("Right"), QPushButton("Far right")
    row = spread_row([left], [right, far_right])
    other = QWidget()
    qtbot.addWidget(other)
    other.setLayout(row)
    assert row.itemAt(0).widget() is left
    assert row.itemAt(1).spacerItem() is not None
    assert [row.itemAt(i).widget() for i in (2, 3)] == [right, far_right]
    empty = QWidget()
    qtbot.addWidget(empty)
    empty.setLayout(spread_row([]))
    assert empty.layout().count() == 1, "an empty row is only its stretch"
