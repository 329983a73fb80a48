"""The report as a PDF: the rendered HTML printed to A4 by headless Chromium (Debian's).

The page's own print stylesheet lays the report out (page breaks, repeated table headers,
the appendix); Chromium adds the page footer from :data:`FOOTER_TEMPLATE`. Chromium runs
offline with a fresh profile: the page holds no URL, and the background-networking flags keep
Chromium itself from trying this machine's closed network. The browser tests launch it with
the same flags (tests/browser_support.py).
"""

from __future__ import annotations

import html
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A4 with room for the footer; the stylesheet's @page margins say the same, for a browser's
# own print dialog.
PAGE_MARGINS = {"top": "14mm", "bottom": "16mm", "left": "13mm", "right": "13mm"}
# Chromium fills pageNumber/totalPages; the footer is its own small document, so it states its
# font size (the default is too small to read) and uses the system's Japanese font.
FOOTER_TEMPLATE = (
    '<div style="width:100%; font-size:8px; color:#5b6470; padding:0 13mm;'
    ' display:flex; justify-content:space-between;">'
    "<span>{label}</span>"
    '<span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>'
)
INSTALL_HINT_JA = (
    "PDF の作成には Chromium が必要です。`make system-packages-test` を実行するか、"
    "`sudo apt-get install -y --no-install-recommends chromium` でインストールしてください。"
)


class ChromiumMissingError(RuntimeError):
    """No Chromium to print with: ``message_ja`` says how to install it."""

    def __init__(self, detail: str) -> None:
        self.message_ja = INSTALL_HINT_JA
        self.detail = detail
        super().__init__(f"{INSTALL_HINT_JA} ({detail})")


def chromium_path() -> str:
    """The Chromium to print with: IMPACT_CHROMIUM, else Debian's /usr/bin/chromium."""
    candidate = os.environ.get("IMPACT_CHROMIUM") or CHROMIUM
    found = shutil.which(candidate)
    if not found:
        raise ChromiumMissingError(f"not found: {candidate}")
    return found


def print_pdf(html_path: Path, pdf_path: Path, *, footer_label: str = "") -> Path:
    """Print ``html_path`` to ``pdf_path`` (A4, footer with the page number); returns the path.

    The PDF is written next to its final name and renamed, so a reader never opens half a file.
    """
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # the pinned environment has it; a partial install may not
        raise ChromiumMissingError(f"playwright: {error}") from error

    started = time.perf_counter()
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    partial = pdf_path.with_suffix(".pdf.partial")
    with tempfile.TemporaryDirectory(prefix="impact-pdf-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = context.new_page()
            page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
            page.evaluate("document.fonts.ready.then(() => true)")
            page.emulate_media(media="print")
            # Folded tables print open (the stylesheet does the same where ::details-content
            # is supported; this covers the rest).
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            page.pdf(
                path=str(partial),
                format="A4",
                print_background=True,
                margin=PAGE_MARGINS,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=FOOTER_TEMPLATE.format(label=html.escape(footer_label)),
                tagged=True,
                outline=True,
            )
        finally:
            context.close()
    partial.replace(pdf_path)
    log.info(
        "  pdf: %s (%.0f KB, %.1f s)",
        pdf_path,
        pdf_path.stat().st_size / 1024,
        time.perf_counter() - started,
    )
    return pdf_path
