"""Keeps CPython 3.11 alive under PySide6 6.12: None gets a reference count no session can use up.

PySide6 6.12 (shiboken) hands back None from every C++ method that returns void without
taking a reference to it, as if None were immortal (it is from CPython 3.12 on, PEP 683). On
3.11 each such call - `label.setText(…)`, `widget.resize(…)`, `painter.drawText(…)`,
`app.processEvents()` - lowers None's count by one, and after some tens of thousands of calls
(about 83,000 in this application; hours of ordinary use, seconds of a busy loop) CPython aborts:
"Fatal Python error: none_dealloc: deallocating None".

`pin_none()` adds 2**60 to None's count once, which is what 3.12 does by design: None is
never freed anyway, so nothing else changes. It does nothing on 3.12 and later, and nothing on
a debug build of CPython (whose object header is laid out differently).
"""

from __future__ import annotations

import ctypes
import sys

PINNED = 1 << 60


def pin_none() -> bool:
    """True when None's reference count was raised (or already was)."""
    if sys.version_info >= (3, 12) or hasattr(sys, "gettotalrefcount"):
        return False
    count = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt leads every PyObject
    if count.value < PINNED:
        count.value += PINNED
    return True
