"""Debian's Chromium as the browser tests launch it (headless, offline, fresh profile).

Without the background-networking flags Chromium keeps trying this machine's closed network,
and those refused connections would read as requests made by the page under test.
"""

from __future__ import annotations

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
