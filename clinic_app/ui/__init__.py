"""The desktop shell: the only package that imports PySide6 (and qtawesome).

Views are widgets without service calls; item models adapt the core's frozen dataclasses;
controllers run service calls on the background `TaskRunner` and push results into models.
"""

from clinic_app.ui.none_refcount import pin_none

# Before any Qt call: PySide6 6.12 on CPython 3.11 wears None's reference count down (see the
# module); the GUI, its tests and benchmarks all import this package first.
pin_none()
