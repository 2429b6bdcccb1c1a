"""Administration: users, the audit log and backups, each in a tab the role allows."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout

from clinic_app.security.permissions import Action
from clinic_app.ui.admin.audit_log_controller import AuditLogController
from clinic_app.ui.admin.audit_log_view import AuditLogView
from clinic_app.ui.admin.audit_table_model import AuditTableModel
from clinic_app.ui.admin.backup_controller import BackupController
from clinic_app.ui.admin.backup_table_model import BackupTableModel
from clinic_app.ui.admin.backup_view import BackupView
from clinic_app.ui.admin.user_admin_controller import UserAdminController
from clinic_app.ui.admin.user_admin_view import UserAdminView
from clinic_app.ui.admin.user_table_model import UserTableModel
from clinic_app.ui.icons import icon
from clinic_app.ui.shell.shell_page import PageContext, ShellPage


class AdminPage(ShellPage):
    def __init__(self, context: PageContext) -> None:
        super().__init__()
        user = context.user
        self.tabs = QTabWidget()
        self.tabs.setObjectName("adminTabs")
        self.tabs.setDocumentMode(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        self.user_controller: UserAdminController | None = None
        self.audit_controller: AuditLogController | None = None
        self.backup_controller: BackupController | None = None
        if user.can(Action.USER_MANAGE):
            self.user_model = UserTableModel(self)
            self.user_view = UserAdminView(self.user_model)
            self.user_controller = UserAdminController(
                self.user_view, self.user_model, context, self
            )
            self.user_controller.status_reported.connect(self.status_reported)
            self.tabs.addTab(self.user_view, icon("users"), "Users")
        if user.can(Action.AUDIT_READ):
            self.audit_model = AuditTableModel(self)
            self.audit_view = AuditLogView(self.audit_model)
            self.audit_controller = AuditLogController(
                self.audit_view, self.audit_model, context, self
            )
            self.tabs.addTab(self.audit_view, icon("audit"), "Audit log")
        if user.can(Action.BACKUP_CREATE):
            self.backup_model = BackupTableModel(self)
            self.backup_view = BackupView(self.backup_model, context.services.settings.backup_dir)
            self.backup_controller = BackupController(
                self.backup_view, self.backup_model, context, self
            )
            self.backup_controller.status_reported.connect(self.status_reported)
            self.backup_controller.restore_finished.connect(self.sign_out_required)
            self.tabs.addTab(self.backup_view, icon("backup"), "Backups")
        layout.addWidget(self.tabs)
        self._loaded = False

    def page_shown(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        if self.user_controller is not None:
            self.user_controller.load()
        if self.audit_controller is not None:
            self.audit_controller.load_choices()
            self.audit_controller.load()
        if self.backup_controller is not None:
            self.backup_controller.load()

    def show_tab(self, name: str) -> None:
        for index in range(self.tabs.count()):
            if self.tabs.tabText(index) == name:
                self.tabs.setCurrentIndex(index)
                return
        raise KeyError(name)
