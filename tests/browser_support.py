"""Debian's Chromium as the browser tests launch it (headless, offline, fresh profile): the
same executable and flags as the report's PDF printer (impact_warehouse.report.pdf).

Without the background-networking flags Chromium keeps trying this machine's closed network,
and those refused connections would read as requests made by the page under test.
"""

from __future__ import annotations

from impact_warehouse.report.pdf import CHROMIUM, CHROMIUM_ARGS

__all__ = ["CHROMIUM", "CHROMIUM_ARGS"]
