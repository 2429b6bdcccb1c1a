"""The viewer: a tool bar (tools, window presets, zoom, overlay), the image canvas and, for
multi-frame images and stacks, a frame slider. A view: it shows and signals, nothing more."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from clinic_app.ui.icons import icon
from clinic_app.ui.imaging.image_canvas import ZOOM_STEP, ImageCanvas, ViewerTool

CUSTOM_WINDOW = "Custom"

_TOOLS = (
    (ViewerTool.PAN, "Pan", "Drag to move the image (middle button at any time)"),
    (
        ViewerTool.WINDOW,
        "W/L",
        "Drag to change window width (left-right) and level (up-down); "
        "the right button does this at any time",
    ),
    (ViewerTool.MEASURE, "Measure", "Drag a line to measure a distance (Delete clears)"),
    (ViewerTool.CALIBRATE, "Ruler", "Drag along a ruler of known length to calibrate the photo"),
)


def _tool_button(text: str, tooltip: str, icon_name: str = "") -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tooltip)
    if icon_name:
        button.setIcon(icon(icon_name))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    else:
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    button.setAutoRaise(True)
    return button


class ImageViewerView(QWidget):
    tool_chosen = Signal(str)  # ViewerTool
    preset_chosen = Signal(int)  # index into the presets given to set_presets
    frame_changed = Signal(int)  # position in the series' frames, 0-based

    def __init__(self, *, can_calibrate: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imageViewerView")
        self._can_calibrate = can_calibrate
        self.canvas = ImageCanvas()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(self._build_tool_bar())
        layout.addWidget(self.canvas, 1)
        layout.addLayout(self._build_frame_row())
        self.info_label = QLabel()
        self.info_label.setObjectName("fieldHint")
        self.info_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.info_label)
        self.set_photo_mode(False)

    def _build_tool_bar(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(2)
        self.tool_group = QButtonGroup(self)
        self.tool_group.setExclusive(True)
        self.tool_buttons: dict[ViewerTool, QToolButton] = {}
        for tool, text, tooltip in _TOOLS:
            button = _tool_button(text, tooltip)
            button.setCheckable(True)
            button.setObjectName(f"tool_{tool.value}")
            button.setProperty("tool", tool.value)
            self.tool_group.addButton(button)
            self.tool_buttons[tool] = button
            row.addWidget(button)
        self.tool_buttons[ViewerTool.PAN].setChecked(True)
        self.tool_group.buttonClicked.connect(self._on_tool_group_button_clicked)
        self.ruler_length = QDoubleSpinBox()
        self.ruler_length.setObjectName("rulerLength")
        self.ruler_length.setRange(0.5, 500.0)
        self.ruler_length.setDecimals(1)
        self.ruler_length.setValue(10.0)
        self.ruler_length.setSuffix(" mm")
        self.ruler_length.setToolTip("The known length of the ruler you draw along")
        row.addWidget(self.ruler_length)
        row.addSpacing(8)
        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName("windowPresets")
        self.preset_combo.setToolTip("Window presets for this modality")
        self.preset_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.preset_combo.activated.connect(self.preset_chosen)
        row.addWidget(self.preset_combo)
        row.addStretch(1)
        self.zoom_out_button = _tool_button("Zoom out", "Zoom out (-)", "zoom_out")
        self.zoom_in_button = _tool_button("Zoom in", "Zoom in (+)", "zoom_in")
        self.fit_button = _tool_button("Fit", "Fit the image to the view (F)", "zoom_fit")
        self.zoom_out_button.clicked.connect(lambda: self.canvas.zoom(1 / ZOOM_STEP))
        self.zoom_in_button.clicked.connect(lambda: self.canvas.zoom(ZOOM_STEP))
        self.fit_button.clicked.connect(self.canvas.fit)
        self.overlay_button = _tool_button("Overlay", "Show the patient and study text (O)")
        self.overlay_button.setObjectName("overlayButton")
        self.overlay_button.setCheckable(True)
        self.overlay_button.setChecked(True)
        self.overlay_button.toggled.connect(self.canvas.set_overlay_visible)
        self.canvas.overlay_toggle_requested.connect(self.overlay_button.toggle)
        self.clear_button = _tool_button("Clear lines", "Remove the measurements (Delete)")
        self.clear_button.clicked.connect(self.canvas.clear_measurements)
        for button in (
            self.zoom_out_button,
            self.zoom_in_button,
            self.fit_button,
            self.overlay_button,
            self.clear_button,
        ):
            row.addWidget(button)
        return row

    def _build_frame_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.frame_slider = QSlider(Qt.Orientation.Horizontal)
        self.frame_slider.setObjectName("frameSlider")
        self.frame_slider.setPageStep(1)
        self.frame_slider.setToolTip("Frames and slices (PgUp / PgDn, Ctrl+wheel)")
        self.frame_slider.valueChanged.connect(self.frame_changed)
        self.frame_label = QLabel()
        self.frame_label.setObjectName("frameLabel")
        self.frame_label.setMinimumWidth(90)
        row.addWidget(self.frame_slider, 1)
        row.addWidget(self.frame_label)
        return row

    # --- what the controller sets ----------------------------------------------------------

    def set_photo_mode(self, photo: bool) -> None:
        """Photos have no window/level; they may be calibrated with a ruler."""
        self.preset_combo.setVisible(not photo)
        self.tool_buttons[ViewerTool.WINDOW].setVisible(not photo)
        calibrate = photo and self._can_calibrate
        self.tool_buttons[ViewerTool.CALIBRATE].setVisible(calibrate)
        tool = self.current_tool
        if (photo and tool is ViewerTool.WINDOW) or (
            tool is ViewerTool.CALIBRATE and not calibrate
        ):
            self.choose_tool(ViewerTool.PAN)
        self.ruler_length.setVisible(self.current_tool is ViewerTool.CALIBRATE)

    @property
    def current_tool(self) -> ViewerTool:
        button = self.tool_group.checkedButton()
        return ViewerTool(str(button.property("tool"))) if button else ViewerTool.PAN

    def choose_tool(self, tool: ViewerTool) -> None:
        self.tool_buttons[tool].setChecked(True)
        self._apply_tool(tool)

    def set_presets(self, names: list[str], current: int) -> None:
        with QSignalBlocker(self.preset_combo):
            self.preset_combo.clear()
            self.preset_combo.addItems(names)
            self.preset_combo.setCurrentIndex(current)

    def show_custom_window(self) -> None:
        with QSignalBlocker(self.preset_combo):
            index = self.preset_combo.findText(CUSTOM_WINDOW)
            if index < 0:
                self.preset_combo.addItem(CUSTOM_WINDOW)
                index = self.preset_combo.count() - 1
            self.preset_combo.setCurrentIndex(index)

    def set_frames(self, count: int, current: int) -> None:
        with QSignalBlocker(self.frame_slider):
            self.frame_slider.setRange(0, max(count - 1, 0))
            self.frame_slider.setValue(current)
        several = count > 1
        self.frame_slider.setVisible(several)
        self.frame_label.setVisible(several)
        self.frame_label.setText(f"Image {current + 1} / {count}" if count else "")

    def show_frame(self, current: int, count: int) -> None:
        with QSignalBlocker(self.frame_slider):
            self.frame_slider.setValue(current)
        self.frame_label.setText(f"Image {current + 1} / {count}")

    # --- slots ---------------------------------------------------------------------------

    @Slot(QAbstractButton)
    def _on_tool_group_button_clicked(self, button: QAbstractButton) -> None:
        self._apply_tool(ViewerTool(str(button.property("tool"))))

    def _apply_tool(self, tool: ViewerTool) -> None:
        self.canvas.tool = tool
        self.ruler_length.setVisible(tool is ViewerTool.CALIBRATE)
        cursor = (
            Qt.CursorShape.OpenHandCursor if tool is ViewerTool.PAN else Qt.CursorShape.CrossCursor
        )
        self.canvas.viewport().setCursor(cursor)
        self.tool_chosen.emit(tool.value)
