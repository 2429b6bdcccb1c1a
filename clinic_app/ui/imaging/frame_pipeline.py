"""Loads and renders the frame the viewer asks for, off the GUI thread, latest request wins.

One request runs at a time on the database lane (a stored image is a database read, then a
decode); while it runs, newer requests replace each other, so dragging the window or scrolling
through a stack renders the position the user is at now, never a backlog. Decoded images are
kept in a small cache (by bytes), so moving through a stack or changing the window decodes
nothing twice.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from clinic_app.imaging.display import DisplayImage
from clinic_app.imaging.windowing import Window, auto_window
from clinic_app.ui.imaging.qimage_arrays import qimage_from_array
from clinic_app.ui.tasks.task_runner import Lane, TaskContext, TaskHandle

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext

CACHE_BYTES = 768 << 20


@dataclass(frozen=True)
class FrameRequest:
    instance_id: str
    frame: int
    window: Window | None  # None: the image's own default (VOI LUT, first window or auto)


@dataclass(frozen=True, eq=False)
class RenderedFrame:
    request: FrameRequest
    image: DisplayImage
    frame: int
    picture: QImage
    window: Window | None  # the window applied; None for colour or a VOI LUT
    seconds: float


def effective_window(image: DisplayImage, frame: int, window: Window | None) -> Window | None:
    """What `DisplayImage.render` applies for `window`, made explicit so a drag can start
    from it: None (colour pixels, or the file's VOI LUT) or a concrete window."""
    if image.is_colour:
        return None
    if window is not None:
        return window
    if image.voi_lut is not None:
        return None
    return image.default_window or auto_window(image.frame(frame))


def render_frame(image: DisplayImage, request: FrameRequest, started: float) -> RenderedFrame:
    frame = min(max(request.frame, 0), image.frame_count - 1)
    window = effective_window(image, frame, request.window)
    pixels = image.render(frame, window)
    return RenderedFrame(
        request, image, frame, qimage_from_array(pixels), window, time.perf_counter() - started
    )


class FramePipeline(QObject):
    frame_ready = Signal(object)  # RenderedFrame
    frame_failed = Signal(object)  # the exception

    def __init__(self, context: PageContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._cache: OrderedDict[str, DisplayImage] = OrderedDict()
        self._handle: TaskHandle | None = None
        self._pending: FrameRequest | None = None

    @property
    def busy(self) -> bool:
        return self._handle is not None and self._handle.running

    def request(self, request: FrameRequest) -> None:
        if self.busy:
            self._pending = request
            return
        self._start(request)

    def cached(self, instance_id: str) -> DisplayImage | None:
        return self._cache.get(instance_id)

    def replace_cached(self, instance_id: str, image: DisplayImage) -> None:
        self._remember(instance_id, image)

    def clear(self) -> None:
        self._pending = None
        self._cache.clear()
        if self._handle is not None:
            self._handle.cancel()

    def _start(self, request: FrameRequest) -> None:
        cached = self._cache.get(request.instance_id)
        imaging = self._context.services.imaging
        user = self._context.user

        def work(ctx: TaskContext) -> RenderedFrame:
            started = time.perf_counter()
            image = cached or imaging.load_image(user, request.instance_id)
            ctx.cancel.raise_if_cancelled()
            return render_frame(image, request, started)

        self._handle = self._context.runner.run(
            Lane.DATABASE,
            work,
            label="image frame",
            owner=self,
            on_success=self._on_work_succeeded,
            on_failure=self._on_work_failed,
        )
        self._handle.cancelled.connect(self._on_work_cancelled)

    def _on_work_succeeded(self, rendered: RenderedFrame) -> None:
        self._remember(rendered.request.instance_id, rendered.image)
        pending, self._pending = self._pending, None
        self._handle = None
        if pending is not None and pending != rendered.request:
            self._start(pending)
        self.frame_ready.emit(rendered)

    def _on_work_failed(self, error: BaseException) -> None:
        self._handle = None
        pending, self._pending = self._pending, None
        if pending is not None:
            self._start(pending)
        self.frame_failed.emit(error)

    def _on_work_cancelled(self) -> None:
        self._handle = None
        pending, self._pending = self._pending, None
        if pending is not None:  # asked for after `clear()` cancelled the one running
            self._start(pending)

    def _remember(self, instance_id: str, image: DisplayImage) -> None:
        self._cache[instance_id] = image
        self._cache.move_to_end(instance_id)
        total = sum(item.frames.nbytes for item in self._cache.values())
        while total > CACHE_BYTES and len(self._cache) > 1:
            _key, dropped = self._cache.popitem(last=False)
            total -= dropped.frames.nbytes
