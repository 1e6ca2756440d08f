"""Fonts for letters: DejaVu for most text, fallbacks for the scripts DejaVu lacks.

DejaVu Sans covers Latin (Vietnamese included), Greek, Cyrillic, Hebrew and Arabic. Names in
Devanagari and Thai print with the Noto fonts shipped beside it; Chinese, Japanese and Korean
need a font too large to ship, so the first one found on the machine is used (on Debian and
Ubuntu the ``fonts-droid-fallback`` package). Every font is embedded (subset) in the PDF.

Text is marked up run by run: characters DejaVu lacks go in a ``<font>`` tag naming the first
fallback that has them; right-to-left text is joined and put in visual order first. A
character no font has is reported by ``unprintable``, so the print run can say so.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi import get_display
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from scheduler.resources import required_file, shipped

FONT_DIR = shipped("fonts")
FONT = "DejaVuSans"
_FONT_FILES = {
    FONT: "DejaVuSans.ttf",
    f"{FONT}-Bold": "DejaVuSans-Bold.ttf",
    f"{FONT}-Oblique": "DejaVuSans-Oblique.ttf",
    f"{FONT}-BoldOblique": "DejaVuSans-BoldOblique.ttf",
}


@dataclass(frozen=True)
class Fallback:
    """A font for the characters DejaVu lacks: a shipped file, or the first system file found."""

    name: str
    files: tuple[Path, ...]
    bold_files: tuple[Path, ...] = ()
    # Complex scripts whose letters change shape or order: reportlab shapes them (HarfBuzz).
    shaped: bool = False
    # Shipped with the desk: a missing file is a broken installation, not a font to skip.
    shipped: bool = False


# Where the common systems keep a TrueType font with Chinese, Japanese and Korean characters
# (reportlab embeds TrueType outlines only, so the OpenType/CFF Noto CJK fonts cannot serve).
_CJK_FILES = (
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    Path("/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
    Path("/usr/share/fonts/google-droid-sans-fonts/DroidSansFallbackFull.ttf"),
    Path("C:/Windows/Fonts/msyh.ttc"),
    Path("C:/Windows/Fonts/simsun.ttc"),
    Path("/Library/Fonts/Arial Unicode.ttf"),
    Path("/System/Library/Fonts/Supplemental/Arial Unicode.ttf"),
)

FALLBACKS = (
    Fallback(
        "NotoSansDevanagari",
        (FONT_DIR / "NotoSansDevanagari-Regular.ttf",),
        (FONT_DIR / "NotoSansDevanagari-Bold.ttf",),
        shaped=True,
        shipped=True,
    ),
    Fallback(
        "NotoSansThai",
        (FONT_DIR / "NotoSansThai-Regular.ttf",),
        (FONT_DIR / "NotoSansThai-Bold.ttf",),
        shaped=True,
        shipped=True,
    ),
    Fallback("CJKFallback", _CJK_FILES),
)

_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")


def register_fonts(font_dir: Path = FONT_DIR) -> None:
    """Register the DejaVu family once per process, so <b> and <i> pick the right faces."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for name, file_name in _FONT_FILES.items():
        path = required_file(font_dir / file_name, f"fonts/{file_name}")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(
        FONT,
        normal=FONT,
        bold=f"{FONT}-Bold",
        italic=f"{FONT}-Oblique",
        boldItalic=f"{FONT}-BoldOblique",
    )


@cache
def _covered(font_name: str) -> frozenset[int]:
    font = pdfmetrics.getFont(font_name)
    return frozenset(font.face.charToGlyph)  # type: ignore[attr-defined]


@cache
def _loaded(fallback: Fallback) -> str | None:
    """Register a fallback (regular and bold) on first use; None when no file of it exists."""
    regular = next((f for f in fallback.files if f.is_file()), None)
    if regular is None:
        if fallback.shipped:
            required_file(fallback.files[0], f"fonts/{fallback.files[0].name}")
        return None
    bold = next((f for f in fallback.bold_files if f.is_file()), regular)
    pdfmetrics.registerFont(TTFont(fallback.name, str(regular)))
    pdfmetrics.registerFont(TTFont(f"{fallback.name}-Bold", str(bold)))
    pdfmetrics.registerFontFamily(
        fallback.name,
        normal=fallback.name,
        bold=f"{fallback.name}-Bold",
        italic=fallback.name,
        boldItalic=f"{fallback.name}-Bold",
    )
    return fallback.name


def _printable_by_dejavu(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) == "Cf" or ord(char) in _covered(FONT)


def fallback_for(char: str) -> Fallback | None:
    """The first fallback font that has ``char`` (loading it if need be), or None."""
    for fallback in FALLBACKS:
        name = _loaded(fallback)
        if name is not None and ord(char) in _covered(name):
            return fallback
    return None


def unprintable(text: str) -> str:
    """The characters of ``text`` that no font here can print, each once, in order."""
    missing = [c for c in _visual(text) if not _printable_by_dejavu(c) and fallback_for(c) is None]
    return "".join(dict.fromkeys(missing))


def needs_shaping(text: str) -> bool:
    """Whether ``text`` holds a script that reportlab must shape to print correctly."""
    return any(
        not _printable_by_dejavu(c) and (f := fallback_for(c)) is not None and f.shaped
        for c in text
    )


def _visual(text: str) -> str:
    """Right-to-left runs joined (Arabic letters take their connected forms) and reordered."""
    text = unicodedata.normalize("NFC", text)
    if not _RTL.search(text):
        return text
    if _ARABIC.search(text):
        text = arabic_reshaper.reshape(text)
    return str(get_display(text))


def markup(text: str) -> str:
    """Paragraph markup for plain text: escaped, each run in a font that has its characters."""
    parts: list[str] = []
    run: list[str] = []
    run_font: str | None = None
    for char in _visual(text):
        font: str | None = None
        if not _printable_by_dejavu(char):
            fallback = fallback_for(char)
            font = fallback.name if fallback is not None else None
        if font != run_font and run:
            parts.append(_run("".join(run), run_font))
            run = []
        run_font = font
        run.append(char)
    if run:
        parts.append(_run("".join(run), run_font))
    return "".join(parts)


def _run(text: str, font: str | None) -> str:
    body = escape(text).replace("\n", "<br/>")
    return f'<font name="{font}">{body}</font>' if font else body
