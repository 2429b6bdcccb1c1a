"""A search-as-you-type code field: type, move with the arrows, Enter picks, Esc closes.

A view: it reports what is typed (`query_edited`) and which code is highlighted or chosen; its
controller (`CodePickerController`) searches on the database lane and fills the popup. The
popup is a frameless window that never takes the keyboard: the focus stays in the field, so
typing goes on while the list updates. `make_code_picker` builds a picker with its controller,
ready to drop into any form where a code is entered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, Signal, Slot
from PySide6.QtGui import QHideEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from clinic_app.codes.models import CodeHit, CodeSystem
from clinic_app.ui.codes.code_hit_delegate import CodeHitDelegate
from clinic_app.ui.codes.code_hit_list_model import CodeHitListModel
from clinic_app.ui.icons import icon

if TYPE_CHECKING:
    from clinic_app.ui.codes.code_picker_controller import CodePickerController
    from clinic_app.ui.shell.shell_page import PageContext

POPUP_MIN_WIDTH = 620
VISIBLE_ROWS = 9
_POPUP_STYLE = """
QFrame#codePickerPopup { background: #ffffff; border: 1px solid #9fb3c2; border-radius: 4px; }
QListView#codePickerList { border: none; background: #ffffff; }
QLabel#codePickerHierarchy {
    color: #3d4f5f; background: #f1f5f8; border-top: 1px solid #d5dce3; padding: 5px 10px;
}
QLabel#codePickerMessage { color: #5b6b79; padding: 8px 10px; }
"""
_NAVIGATION_KEYS = (
    Qt.Key.Key_Down,
    Qt.Key.Key_Up,
    Qt.Key.Key_PageDown,
    Qt.Key.Key_PageUp,
)


class CodePickerPopup(QFrame):
    """The list under the field, the hierarchy of the highlighted code, or a message."""

    def __init__(self, model: CodeHitListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.ToolTip | Qt.WindowType.FramelessWindowHint)
        self.setObjectName("codePickerPopup")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setStyleSheet(_POPUP_STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.setSpacing(0)
        self.list_view = QListView()
        self.list_view.setObjectName("codePickerList")
        self.list_view.setModel(model)
        self.list_view.setItemDelegate(CodeHitDelegate(self.list_view))
        self.list_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setUniformItemSizes(True)
        self.list_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.message_label = QLabel()
        self.message_label.setObjectName("codePickerMessage")
        self.message_label.setWordWrap(True)
        self.hierarchy_label = QLabel()
        self.hierarchy_label.setObjectName("codePickerHierarchy")
        self.hierarchy_label.setWordWrap(True)
        self.hierarchy_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.list_view, 1)
        layout.addWidget(self.message_label)
        layout.addWidget(self.hierarchy_label)


class CodePicker(QWidget):
    query_edited = Signal(str)
    hit_highlighted = Signal(object)  # CodeHit
    code_chosen = Signal(object)  # CodeHit
    closed = Signal()

    def __init__(
        self,
        *,
        placeholder: str = "Type a code or words, e.g. E11.9 or diabetes",
        clear_on_choose: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("codePicker")
        self._clear_on_choose = clear_on_choose
        self.model = CodeHitListModel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.line_edit = QLineEdit()
        self.line_edit.setObjectName("codePickerField")
        self.line_edit.setPlaceholderText(placeholder)
        self.line_edit.setClearButtonEnabled(True)
        self.line_edit.setMaxLength(200)
        self.line_edit.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.line_edit.setToolTip("Type, then ↑/↓ to move, Enter to choose, Esc to close.")
        layout.addWidget(self.line_edit)
        self.setFocusProxy(self.line_edit)
        self.popup = CodePickerPopup(self.model, self)
        self.popup.hide()
        self.line_edit.installEventFilter(self)
        self.line_edit.textEdited.connect(self._on_line_edit_text_edited)
        self.line_edit.textChanged.connect(self._on_line_edit_text_changed)
        self.popup.list_view.clicked.connect(self._on_list_view_clicked)
        self.popup.list_view.selectionModel().currentChanged.connect(
            self._on_list_view_current_changed
        )

    # --- keyboard ------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.line_edit:
            if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
                return self._handle_key(event)
            if event.type() == QEvent.Type.FocusOut:
                self.close_popup()
        return super().eventFilter(watched, event)

    def _handle_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        rows = self.model.rowCount()
        if key in _NAVIGATION_KEYS:
            if not self.popup.isVisible():
                if rows == 0 or key not in (Qt.Key.Key_Down, Qt.Key.Key_PageDown):
                    return False
                self._show_popup()
            self._move(key, rows)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.popup.isVisible():
            current = self.popup.list_view.currentIndex()
            if current.isValid():
                self._choose(current.row())
            return True
        if key == Qt.Key.Key_Escape and self.popup.isVisible():
            self.close_popup()
            return True
        return False

    def _move(self, key: Qt.Key, rows: int) -> None:
        if rows == 0:
            return
        view = self.popup.list_view
        row = view.currentIndex().row()
        step = {
            Qt.Key.Key_Down: 1,
            Qt.Key.Key_Up: -1,
            Qt.Key.Key_PageDown: VISIBLE_ROWS - 1,
            Qt.Key.Key_PageUp: -(VISIBLE_ROWS - 1),
        }[key]
        row = 0 if row < 0 else max(0, min(rows - 1, row + step))
        view.setCurrentIndex(self.model.index(row, 0))

    # --- reporting -----------------------------------------------------------------------

    @Slot(str)
    def _on_line_edit_text_edited(self, text: str) -> None:
        self.query_edited.emit(text)

    @Slot(str)
    def _on_line_edit_text_changed(self, text: str) -> None:
        if not text:  # the clear button, or cleared after a choice
            self.model.replace_hits([])
            self.close_popup()
            self.query_edited.emit("")

    @Slot(QModelIndex)
    def _on_list_view_clicked(self, index: QModelIndex) -> None:
        self._choose(index.row())

    @Slot(QModelIndex, QModelIndex)
    def _on_list_view_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        hit = self.model.hit_at(current.row())
        self.popup.hierarchy_label.setText("")
        self.popup.hierarchy_label.setVisible(hit is not None)
        if hit is not None:
            self.popup.hierarchy_label.setText(f"{hit.code} · looking up its place…")
            self.hit_highlighted.emit(hit)

    def _choose(self, row: int) -> None:
        hit = self.model.hit_at(row)
        if hit is None:
            return
        self.close_popup()
        if self._clear_on_choose:
            self.line_edit.clear()
        else:
            self.line_edit.setText(f"{hit.code} {hit.description}")
            self.line_edit.setCursorPosition(0)
        self.code_chosen.emit(hit)

    # --- shown by the controller ---------------------------------------------------------

    def query(self) -> str:
        return self.line_edit.text()

    def show_hits(self, hits: list[CodeHit], empty_message: str) -> None:
        self.model.replace_hits(hits)
        self.popup.list_view.setVisible(bool(hits))
        self.popup.message_label.setText("" if hits else empty_message)
        self.popup.message_label.setVisible(not hits)
        self.popup.hierarchy_label.hide()
        if not self.isVisible():
            return
        self._show_popup()
        if hits:
            self.popup.list_view.setCurrentIndex(self.model.index(0, 0))

    def show_message(self, text: str) -> None:
        self.show_hits([], text)

    def show_hierarchy(self, hit: CodeHit, text: str) -> None:
        current = self.model.hit_at(self.popup.list_view.currentIndex().row())
        if current == hit:
            self.popup.hierarchy_label.setText(text)
            self.popup.hierarchy_label.show()
            if self.popup.isVisible():
                self._place_popup()

    def current_hit(self) -> CodeHit | None:
        return self.model.hit_at(self.popup.list_view.currentIndex().row())

    def close_popup(self) -> None:
        if self.popup.isVisible():
            self.popup.hide()
            self.closed.emit()

    def _show_popup(self) -> None:
        self._place_popup()
        self.popup.show()
        self.popup.raise_()

    def _place_popup(self) -> None:
        """Under the field, or above it when the screen has no room below (as a completer)."""
        field, popup = self.line_edit, self.popup
        width = max(field.width(), POPUP_MIN_WIDTH)
        rows = self.model.rowCount()
        height = 2
        if rows:
            row_height = max(popup.list_view.sizeHintForRow(0), 24)
            list_height = min(VISIBLE_ROWS, rows) * row_height + 4
            popup.list_view.setFixedHeight(list_height)
            height += list_height
        for label in (popup.message_label, popup.hierarchy_label):
            if not label.isHidden():
                height += label.heightForWidth(width - 2)
        popup.resize(width, height)
        below = field.mapToGlobal(QPoint(0, field.height() + 2))
        screen = field.screen().availableGeometry()
        top = below.y()
        if top + height > screen.bottom():
            above = field.mapToGlobal(QPoint(0, -height - 2)).y()
            if above >= screen.top():
                top = above
        left = max(screen.left(), min(below.x(), screen.right() - width))
        popup.move(left, top)

    def hideEvent(self, event: QHideEvent) -> None:
        self.close_popup()
        super().hideEvent(event)


def make_code_picker(
    context: PageContext,
    *,
    system: CodeSystem = CodeSystem.ICD10CM,
    placeholder: str = "Type a code or words, e.g. E11.9 or diabetes",
    clear_on_choose: bool = True,
    parent: QWidget | None = None,
) -> tuple[CodePicker, CodePickerController]:
    """A picker and its controller (a child of the picker: they live and die together)."""
    from clinic_app.ui.codes.code_picker_controller import CodePickerController

    picker = CodePicker(placeholder=placeholder, clear_on_choose=clear_on_choose, parent=parent)
    controller = CodePickerController(picker, context, system=system, parent=picker)
    return picker, controller
