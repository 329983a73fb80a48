"""The Japanese font: found once, used by the charts, and embedded (subset) in the page.

The report must render Japanese on a machine with no Japanese font and no network, so the
page carries its own font: IPAexGothic (IPA Font License, redistributable), subset to the
characters the page uses and embedded as a base64 WOFF ``@font-face``.
"""

from __future__ import annotations

import base64
import io
import logging
import os
from functools import lru_cache
from pathlib import Path

FONT_FAMILY = "IPAexGothic"
# CSS family of the embedded subset; its own name so the browser never mixes it up with an
# installed IPAexGothic (the browser test checks that this one is used).
EMBEDDED_FAMILY = "ImpactReportJP"
DEBIAN_FONT_PATH = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")


class FontMissingError(FileNotFoundError):
    """The Japanese font is not installed."""


@lru_cache(maxsize=1)
def font_path() -> Path:
    """IPAexGothic: ``IMPACT_REPORT_FONT``, else the installed one (fonts-ipaexfont-gothic)."""
    override = os.environ.get("IMPACT_REPORT_FONT")
    if override:
        candidate = Path(override)
        if candidate.is_file():
            return candidate
        raise FontMissingError(f"IMPACT_REPORT_FONT={override} is not a file")
    if DEBIAN_FONT_PATH.is_file():
        return DEBIAN_FONT_PATH
    from matplotlib import font_manager

    try:
        found = font_manager.findfont(
            font_manager.FontProperties(family=FONT_FAMILY), fallback_to_default=False
        )
    except ValueError as error:
        raise FontMissingError(
            "日本語フォント IPAexGothic が見つかりません。`make system-packages`"
            "（Debian パッケージ fonts-ipaexfont-gothic）でインストールしてください。"
            f" (not at {DEBIAN_FONT_PATH}; set IMPACT_REPORT_FONT to a .ttf)"
        ) from error
    return Path(found)


@lru_cache(maxsize=1)
def register_chart_font() -> str:
    """Make the font known to matplotlib; returns the family name to ask for."""
    from matplotlib import font_manager

    path = font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def subset_font_face(text: str) -> str:
    """A CSS ``@font-face`` rule embedding the font subset to the characters of ``text``."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    characters = {char for char in text if ord(char) >= 0x20} | set(
        "0123456789０１２３４５６７８９%％.,:;-–—―－()（）[]［］+±×÷/／※～〜・、。「」N=<>"
    )
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # it logs every glyph at INFO
    options = subset.Options()
    options.flavor = "woff"  # zlib-compressed; WOFF2 would need brotli
    options.hinting = False
    options.name_IDs = ["*"]
    options.notdef_outline = True
    # The font file's own timestamp, not the time of saving: the same page gives the same bytes.
    font = TTFont(str(font_path()), recalcTimestamp=False)
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(text="".join(sorted(characters)))
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f"@font-face {{ font-family: '{EMBEDDED_FAMILY}'; font-style: normal;"
        f" font-weight: 400; src: url(data:font/woff;base64,{encoded}) format('woff'); }}"
    )
