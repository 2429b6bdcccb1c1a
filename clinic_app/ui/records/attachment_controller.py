"""Adding, previewing and exporting the attachments of one visit or record.

Adding and exporting stream on the database lane with a progress dialog whose Cancel stops
them (nothing half-written is kept). The file dialogs are attributes so tests can answer them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QWidget

from clinic_app.records.models import AttachmentInfo, TargetType
from clinic_app.security.permissions import Action
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.records.attachment_preview_dialog import AttachmentPreviewDialog
from clinic_app.ui.records.attachment_table_model import AttachmentTableModel, warning_text
from clinic_app.ui.records.attachments_view import AttachmentsView
from clinic_app.ui.records.time_format import size_text
from clinic_app.ui.records.user_directory import UserDirectory
from clinic_app.ui.tasks.task_progress_dialog import TaskProgressDialog
from clinic_app.ui.tasks.task_runner import Lane, TaskContext

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext

OpenPathChooser = Callable[[QWidget], str]
SavePathChooser = Callable[[QWidget, str], str]
FILE_FILTER = (
    "Documents and images (*.pdf *.png *.jpg *.jpeg *.gif *.tif *.tiff *.dcm *.txt *.csv);;"
    "All files (*)"
)


def ask_open_path(parent: QWidget) -> str:
    path, _filter = QFileDialog.getOpenFileName(parent, "Attach a file", "", FILE_FILTER)
    return path


def ask_save_path(parent: QWidget, suggested: str) -> str:
    # The service never overwrites a file: no "replace?" question that it would then refuse.
    path, _filter = QFileDialog.getSaveFileName(
        parent,
        "Export the attachment",
        suggested,
        "",
        options=QFileDialog.Option.DontConfirmOverwrite,
    )
    return path


class AttachmentController(QObject):
    attachment_added = Signal(object)  # AttachmentInfo
    preview_opened = Signal(object)  # AttachmentPreviewDialog
    exported = Signal(str)  # the file written

    def __init__(
        self,
        view: AttachmentsView,
        model: AttachmentTableModel,
        context: PageContext,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._model = model
        self._context = context
        self._owner: tuple[TargetType, str] | None = None
        self._people = UserDirectory()
        self.choose_open_path: OpenPathChooser = ask_open_path
        self.choose_save_path: SavePathChooser = ask_save_path
        self.progress_dialog: TaskProgressDialog | None = None
        view.add_requested.connect(self._on_view_add_requested)
        view.preview_requested.connect(self._on_view_preview_requested)
        view.export_requested.connect(self.export)

    def show_owner(
        self,
        owner_type: TargetType,
        owner_id: str,
        attachments: tuple[AttachmentInfo, ...],
        people: UserDirectory,
    ) -> None:
        changed = self._owner != (owner_type, owner_id)
        self._owner = (owner_type, owner_id)
        self._people = people
        self._model.replace_attachments(attachments, people)
        if changed:
            self._view.show_notice("")

    # --- adding --------------------------------------------------------------------------

    @Slot()
    def _on_view_add_requested(self) -> None:
        if self._owner is None:
            return
        chosen = self.choose_open_path(self._view)
        if chosen:
            self.add_file(Path(chosen))

    def add_file(self, path: Path) -> None:
        assert self._owner is not None
        owner_type, owner_id = self._owner
        attachments = self._context.services.records.attachments
        limit = attachments.max_bytes
        try:
            size = path.stat().st_size
        except OSError:
            size = 0  # the service says what is wrong with it
        if size > limit:
            self._view.show_notice(
                f"{path.name} is too large to attach ({size_text(size)}; the limit is "
                f"{size_text(limit)}). Attach a smaller file, or ask IT to raise the limit."
            )
            return
        user = self._context.user

        def add(ctx: TaskContext) -> AttachmentInfo:
            return attachments.add_file(
                user, owner_type, owner_id, path, progress=ctx.progress, cancel=ctx.cancel
            )

        handle = self._context.runner.run(
            Lane.DATABASE,
            add,
            label="add attachment",
            owner=self,
            on_success=self._on_attachment_added,
            on_failure=self._on_task_failed,
        )
        self.progress_dialog = TaskProgressDialog(handle, "Adding the file…", self._view)
        handle.cancelled.connect(lambda: self._view.show_notice("Adding the file was cancelled."))

    @Slot(object)
    def _on_attachment_added(self, info: AttachmentInfo) -> None:
        warning = warning_text(info)
        notice = f"{info.filename} was attached."
        if warning:
            notice = f"{info.filename} was attached, with a warning: {warning}"
        self._view.show_notice(notice)
        self.attachment_added.emit(info)

    # --- preview -------------------------------------------------------------------------

    @Slot(object)
    def _on_view_preview_requested(self, info: AttachmentInfo) -> None:
        attachments, user = self._context.services.records.attachments, self._context.user
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: attachments.read_content(user, info.id),
            label="preview attachment",
            owner=self,
            on_success=self._on_content_read,
            on_failure=self._on_task_failed,
        )

    @Slot(object)
    def _on_content_read(self, outcome: tuple[AttachmentInfo, bytes]) -> None:
        info, data = outcome
        dialog = AttachmentPreviewDialog(
            info,
            data,
            can_export=self._context.user.can(Action.ATTACHMENT_EXPORT),
            added_by=self._people.name(info.added_by_id),
            parent=self._view.window(),
        )
        dialog.export_requested.connect(self.export)
        dialog.show()
        self.preview_opened.emit(dialog)

    # --- export --------------------------------------------------------------------------

    @Slot(object)
    def export(self, info: AttachmentInfo) -> None:
        chosen = self.choose_save_path(self._view, info.filename)
        if not chosen:
            return
        destination = Path(chosen)
        attachments, user = self._context.services.records.attachments, self._context.user

        def export(ctx: TaskContext) -> Path:
            return attachments.export(
                user, info.id, destination, progress=ctx.progress, cancel=ctx.cancel
            )

        handle = self._context.runner.run(
            Lane.DATABASE,
            export,
            label="export attachment",
            owner=self,
            on_success=self._on_exported,
            on_failure=self._on_task_failed,
        )
        self.progress_dialog = TaskProgressDialog(handle, "Exporting the file…", self._view)

    @Slot(object)
    def _on_exported(self, path: Path) -> None:
        self._view.show_notice(f"Exported to {path}.")
        self.exported.emit(str(path))

    @Slot(object)
    def _on_task_failed(self, error: BaseException) -> None:
        show_error(self._view, error)
