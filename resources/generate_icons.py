"""Exports the GUI's icons as SVG files into clinic_app/ui/resources/ (run when icons change).

    QT_QPA_PLATFORM=offscreen .venv/bin/python resources/generate_icons.py

The glyphs come from the Material Design Icons 6 font file that qtawesome ships (Pictogrammers,
Apache License 2.0). The app loads the SVG files rather than qtawesome itself: importing
qtawesome costs ~0.6 s and ~30 MB at run time (qtpy pulls in QtDataVisualization and OpenGL).
"""

from __future__ import annotations

import json
from importlib.util import find_spec
from pathlib import Path

from PySide6.QtGui import QGuiApplication, QPainterPath, QRawFont  # noqa: TID251 - a GUI tool

TARGET = Path(__file__).resolve().parents[1] / "clinic_app" / "ui" / "resources"
FONT = "materialdesignicons6-webfont-6.9.96.ttf"
CHARMAP = "materialdesignicons6-webfont-charmap-6.9.96.json"
SIZE = 24

# Semantic name → MDI name. Views ask for "lock", never for a font's name.
ICONS: dict[str, str] = {
    "patients": "account-multiple-outline",
    "patient": "account-outline",
    "admin": "shield-account-outline",
    "users": "account-key-outline",
    "audit": "clipboard-text-search-outline",
    "backup": "database-lock-outline",
    "lock": "lock-outline",
    "unlock": "lock-open-variant-outline",
    "sign_out": "logout",
    "search": "magnify",
    "add": "plus",
    "edit": "pencil-outline",
    "delete": "delete-outline",
    "restore": "restore",
    "save": "content-save-outline",
    "cancel": "close",
    "verify": "shield-check-outline",
    "refresh": "refresh",
    "offline": "cloud-off-outline",
    "online": "cloud-check-outline",
    "help": "help-circle-outline",
    "warning": "alert-outline",
    "error": "alert-circle-outline",
    "key": "key-variant",
    "copy": "content-copy",
    "empty": "account-search-outline",
    # Clinical records, codes and the inbox (clinic_app/ui/records, codes, inbox).
    "chart": "chart-line",
    "visit": "clipboard-pulse-outline",
    "inbox": "inbox-outline",
    "worklist": "clipboard-check-outline",
    "attachment": "paperclip",
    "annotation": "comment-text-outline",
    "print": "printer-outline",
    "pdf": "file-pdf-box",
    "triage": "stethoscope",
    "code": "tag-outline",
    "suggest": "lightbulb-on-outline",
    "assign": "account-arrow-right-outline",
    "sign": "draw-pen",
    "addendum": "note-plus-outline",
    "mark_read": "email-open-outline",
    "mark_all_read": "check-all",
    "back": "arrow-left",
    "open": "open-in-new",
    "export": "file-export-outline",
    "zoom_in": "magnify-plus-outline",
    "zoom_out": "magnify-minus-outline",
    "zoom_fit": "fit-to-page-outline",
    "allergy": "alert-octagon-outline",
    "record": "file-document-outline",
}


def svg_path(path: QPainterPath) -> str:
    parts: list[str] = []
    index = 0
    while index < path.elementCount():
        element = path.elementAt(index)
        if element.isMoveTo():
            parts.append(f"M{element.x:.2f} {element.y:.2f}")
        elif element.isLineTo():
            parts.append(f"L{element.x:.2f} {element.y:.2f}")
        elif element.isCurveTo():
            first, second = path.elementAt(index + 1), path.elementAt(index + 2)
            parts.append(
                f"C{element.x:.2f} {element.y:.2f} {first.x:.2f} {first.y:.2f} "
                f"{second.x:.2f} {second.y:.2f}"
            )
            index += 2
        index += 1
    return "".join(parts)


def main() -> None:
    _app = QGuiApplication([])
    # Only qtawesome's font files are used; the package itself is not imported.
    spec = find_spec("qtawesome")
    assert spec is not None, "qtawesome (a development dependency here) is not installed"
    assert spec.submodule_search_locations
    fonts = Path(next(iter(spec.submodule_search_locations))) / "fonts"
    charmap = json.loads((fonts / CHARMAP).read_text(encoding="utf-8"))
    font = QRawFont((fonts / FONT).read_bytes(), SIZE)
    for name, mdi in ICONS.items():
        glyphs = font.glyphIndexesForString(chr(int(charmap[mdi], 16)))
        path = font.pathForGlyph(glyphs[0])
        path.translate(0, font.ascent())
        svg = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
            f'viewBox="0 0 {SIZE} {SIZE}"><path fill="#000000" d="{svg_path(path)}"/></svg>\n'
        )
        (TARGET / f"icon-{name}.svg").write_text(svg, encoding="utf-8")
    print(f"wrote {len(ICONS)} icons to {TARGET}")  # noqa: T201 - a command-line tool


if __name__ == "__main__":
    main()
