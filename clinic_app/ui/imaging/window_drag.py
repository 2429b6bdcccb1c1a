"""Window/level by dragging: right or left of the start widens or narrows the window, up or
down lowers or raises its level. The step follows the window's own width, so one gesture
works for CT in Hounsfield units, MR in arbitrary units and 8-bit images alike."""

from __future__ import annotations

from clinic_app.imaging.windowing import Window

PIXELS_PER_WIDTH = 256.0  # dragging this far changes the width by the width itself
MIN_WIDTH = 1.0


def dragged_window(start: Window, dx: float, dy: float) -> Window:
    """The window after dragging (dx, dy) screen pixels from `start`."""
    step = max(start.width, MIN_WIDTH) / PIXELS_PER_WIDTH
    width = max(MIN_WIDTH, start.width + dx * step)
    center = start.center + dy * step
    return Window(center, width, "Custom", start.function)


def window_text(window: Window | None) -> str:
    if window is None:
        return "VOI LUT"
    return f"W {window.width:.0f}  L {window.center:.0f}"
