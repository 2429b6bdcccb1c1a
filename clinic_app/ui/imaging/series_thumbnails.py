"""Thumbnails for the series list: the middle frame of each series, rendered off the GUI thread
(one small task per series on the database lane, where image reads run) and kept in memory for
the session, so reopening a patient shows them at once."""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QImage, QPainter

from clinic_app.imaging.thumbnails import DEFAULT_SIZE, middle_frame
from clinic_app.ui.imaging.patient_images import SeriesEntry
from clinic_app.ui.imaging.qimage_arrays import qimage_from_array
from clinic_app.ui.tasks.task_runner import Lane, TaskContext

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext

MAX_CACHED = 512  # 64×64 RGB is 12 KiB: at most 6 MiB
BACKDROP = "#000000"


def thumbnail_source(entry: SeriesEntry) -> tuple[str, int]:
    """(instance id, frame) of the series' middle picture: the middle slice of a stack, the
    middle frame of a multi-frame image."""
    positions = entry.positions()
    instance, frame = positions[len(positions) // 2]
    if instance.frames > 1:
        frame = middle_frame(instance.frames)
    return instance.id, frame


def framed(picture: QImage, size: int) -> QImage:
    """The picture centred on a black square, so every row's text starts at the same place."""
    square = QImage(size, size, QImage.Format.Format_RGB888)
    square.fill(QColor(BACKDROP))
    painter = QPainter(square)
    painter.drawImage((size - picture.width()) // 2, (size - picture.height()) // 2, picture)
    painter.end()
    return square


class SeriesThumbnails(QObject):
    thumbnail_ready = Signal(str, QImage)  # series id, picture
    thumbnail_failed = Signal(str)  # series id: shown without a picture

    def __init__(
        self, context: PageContext, size: int = DEFAULT_SIZE, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._context = context
        self.size = size
        self._cache: OrderedDict[str, QImage] = OrderedDict()
        self._pending: set[str] = set()

    def cached(self, series_id: str) -> QImage | None:
        return self._cache.get(series_id)

    @property
    def pending(self) -> frozenset[str]:
        return frozenset(self._pending)

    def request(self, entries: list[SeriesEntry]) -> None:
        """Renders what isn't cached yet; cached ones are announced at once."""
        for entry in entries:
            series_id = entry.series.id
            picture = self._cache.get(series_id)
            if picture is not None:
                self._cache.move_to_end(series_id)
                self.thumbnail_ready.emit(series_id, picture)
            elif series_id not in self._pending and entry.instances:
                self._start(series_id, *thumbnail_source(entry))

    def _start(self, series_id: str, instance_id: str, frame: int) -> None:
        imaging, user, size = self._context.services.imaging, self._context.user, self.size

        def work(_ctx: TaskContext) -> QImage:
            # QImage (and painting on one), unlike QPixmap, may be done here: the GUI thread
            # only wraps the finished picture.
            pixels = imaging.thumbnail(user, instance_id, frame, size)
            return framed(qimage_from_array(pixels), size)

        self._pending.add(series_id)
        self._context.runner.run(
            Lane.DATABASE,
            work,
            label="series thumbnail",
            owner=self,
            on_success=lambda picture: self._on_rendered(series_id, picture),
            on_failure=lambda _error: self._on_failed(series_id),
        )

    def _on_rendered(self, series_id: str, picture: QImage) -> None:
        self._pending.discard(series_id)
        self._cache[series_id] = picture
        while len(self._cache) > MAX_CACHED:
            self._cache.popitem(last=False)
        self.thumbnail_ready.emit(series_id, picture)

    def _on_failed(self, series_id: str) -> None:
        # A file that can't be decoded still lists its series; the viewer says why on opening.
        self._pending.discard(series_id)
        self.thumbnail_failed.emit(series_id)
