"""The response status page: per open wave and cohort, n/N, target, floor, days left and the
daily curve beside last year's, for staff while a survey is open (issue 18).

``render_status_page`` is the one entry point: the warehouse job calls it after each build
and ``impact status-page`` from the command line. Names are imported on first use, so an
alert that only links to the page (``status_page_path``) does not load matplotlib.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from impact_warehouse.status_page.location import status_page_path

_LAZY = {
    "StatusPageError": "impact_warehouse.status_page.data",
    "load_status": "impact_warehouse.status_page.data",
    "render_status_page": "impact_warehouse.status_page.render",
}

__all__ = ["StatusPageError", "load_status", "render_status_page", "status_page_path"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
