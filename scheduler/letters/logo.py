"""The clinic's logo: checked before it is used, and shrunk once so every letter prints fast.

A logo straight from a designer may be a 100-megapixel PNG: embedding it in each of a day's
letters took more than a minute a run. It is read once per print run, refused with a
sentence when it is too big or broken, and shrunk to the few hundred pixels the letter head
prints at.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_SIDE_PIXELS = 4000
# 45 mm wide at about 340 dots an inch: sharp on any office printer.
PRINT_PIXELS = 600


@dataclass(frozen=True)
class PrintableLogo:
    """The logo as a small PNG, with its size in pixels."""

    png: bytes
    width: int
    height: int


def logo_problem(path: Path) -> str | None:
    """One sentence saying why ``path`` cannot be the clinic's logo, or None when it can."""
    try:
        _open_checked(path).close()
    except LogoRefused as exc:
        return str(exc)
    return None


def printable_logo(path: Path) -> PrintableLogo:
    """The logo shrunk to print size; ``LogoRefused`` (one sentence) when it cannot be used."""
    with _open_checked(path) as image:
        picture = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    picture.thumbnail((PRINT_PIXELS, PRINT_PIXELS))
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=False)
    return PrintableLogo(out.getvalue(), picture.width, picture.height)


class LogoRefused(ValueError):
    """The logo file is too big, too large in pixels, or not a whole image."""


def _open_checked(path: Path) -> Image.Image:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise LogoRefused(f"The logo {path} cannot be read ({exc.strerror}).") from exc
    if size > MAX_FILE_BYTES:
        raise LogoRefused(
            f"The logo {path} is {size / 1_048_576:.1f} MB; a logo may be at most "
            f"{MAX_FILE_BYTES // 1_048_576} MB. Save a smaller copy (600 pixels wide is plenty)."
        )
    try:
        with warnings.catch_warnings():
            # Pillow warns about very large images; the size is checked here instead.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise _unreadable(path, exc) from exc
    try:
        width, height = image.size
        if max(width, height) > MAX_SIDE_PIXELS:
            raise LogoRefused(
                f"The logo {path} is {width:,} × {height:,} pixels; a logo may be at most "
                f"{MAX_SIDE_PIXELS:,} pixels on a side. Save a smaller copy (600 pixels "
                "wide is plenty)."
            )
        image.load()  # a truncated file fails here, not halfway through a letter
    except LogoRefused:
        image.close()
        raise
    except (OSError, SyntaxError, ValueError) as exc:
        image.close()
        raise _unreadable(path, exc) from exc
    return image


def _unreadable(path: Path, exc: Exception) -> LogoRefused:
    return LogoRefused(
        f"The logo {path} cannot be read as an image ({exc}); choose a PNG or JPEG file."
    )
