"""The Japanese font: found once, used by the charts, and embedded (subset) in the page.

The report must render Japanese on a machine with no Japanese font and no network, so the
page carries its own font: IPAexGothic (IPA Font License, redistributable), subset to the
characters the page uses and embedded as a base64 WOFF ``@font-face``.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import logging
import os
import re
import stat
import tempfile
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

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


CACHE_KEPT = 32
_FACE_START = (
    f"@font-face {{ font-family: '{EMBEDDED_FAMILY}'; font-style: normal; font-weight: 400;"
)
_BASE64_FACE = re.compile(
    re.escape(_FACE_START)
    + r" src: url\(data:font/woff;base64,[A-Za-z0-9+/]+={0,2}\) format\('woff'\); \}"
)
# A kept rule is opened without following a link, and without waiting on a FIFO (POSIX).
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NO_WAIT = getattr(os, "O_NONBLOCK", 0)
# Bumped when the subsetting options change: a rule made with other options is not reused.
_CACHE_FORMAT = "woff-unhinted-1"


def subset_font_face(text: str, *, cache_dir: Path | None = None) -> str:
    """A CSS ``@font-face`` rule embedding the font subset to the characters of ``text``.

    ``cache_dir``: rules already made are kept there, by font file and characters
    (:func:`_cache_key`): subsetting takes a core about 0.3 s, and the status page, redrawn
    after every pull, and a report rendered again use the same characters. The newest
    :data:`CACHE_KEPT` rules stay; a file that is not a rule this module wrote is made again.
    """
    characters = {char for char in text if ord(char) >= 0x20} | set(
        "0123456789０１２３４５６７８９%％.,:;-–—―－()（）[]［］+±×÷/／※～〜・、。「」N=<>"
    )
    populated = "".join(sorted(characters))
    if cache_dir is None:
        return _font_face(populated)
    cached = cache_dir / f"{_cache_key(populated)}.css"
    face = _cached_face(cached)
    if face is None:
        face = _font_face(populated)
        _keep(cached, face)
    return face


def _font_face(characters: str) -> str:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # it logs every glyph at INFO
    options = subset.Options()
    options.flavor = "woff"  # zlib-compressed; WOFF2 would need brotli
    options.hinting = False
    options.name_IDs = ["*"]
    options.notdef_outline = True
    # The font file's own timestamp, not the time of saving: the same page gives the same bytes.
    font = TTFont(str(font_path()), recalcTimestamp=False)
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"{_FACE_START} src: url(data:font/woff;base64,{encoded}) format('woff'); }}"


def _cache_key(characters: str) -> str:
    """The font file (path, size, modification time), the options and the characters."""
    font = font_path()
    status = font.stat()
    identity = f"{_CACHE_FORMAT}\n{font}\n{status.st_size}\n{status.st_mtime_ns}\n{characters}"
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()


def _cached_face(cached: Path) -> str | None:
    """The rule kept in ``cached``, or None (none yet, unreadable, or not such a rule: it goes
    into the page as it is, so nothing else is taken). Only a regular file no larger than a
    rule can be (:func:`_largest_face`) is read: a FIFO or a link to a device there must not
    stop the page, nor a huge file fill the memory."""
    try:
        handle = os.open(cached, os.O_RDONLY | _NO_FOLLOW | _NO_WAIT)
    except OSError:
        return None
    try:
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode) or status.st_size > _largest_face():
            return None
        with os.fdopen(handle, "rb", closefd=False) as stream:
            face = stream.read(_largest_face() + 1).decode("ascii")
    except (OSError, UnicodeDecodeError):
        return None
    finally:
        os.close(handle)
    if not _BASE64_FACE.fullmatch(face):
        return None
    with contextlib.suppress(OSError):
        os.utime(cached)  # the newest used are the ones kept
    return face


def _largest_face() -> int:
    """No rule is larger than the whole font in base64 with the rule's own text around it."""
    return font_path().stat().st_size * 4 // 3 + 4 + len(_FACE_START) + 256


def _keep(cached: Path, face: str) -> None:
    """Keep ``face`` (written beside and renamed: a page never reads half a rule) and drop
    the rules used least recently beyond CACHE_KEPT. A cache that cannot be written only
    means the next page subsets again."""
    temporary: str | None = None
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cached.parent, prefix=".face-", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="ascii") as stream:
            stream.write(face)
        os.replace(temporary, cached)
        temporary = None
        kept = sorted(cached.parent.glob("*.css"), key=_last_used, reverse=True)
        for old in kept[CACHE_KEPT:]:
            old.unlink(missing_ok=True)
    except OSError as error:
        log.warning("the font cache %s could not be written: %s", cached.parent, error)
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def _last_used(path: Path) -> int:
    """When ``path`` was last written or used; 0 for a rule another process just removed."""
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0
