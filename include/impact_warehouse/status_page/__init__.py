"""The response status page: per open wave and cohort, n/N, target, floor, days left and the
daily curve beside last year's, for staff while a survey is open (issue 18).

``render_status_page`` is the entry point of ``impact status-page``; the warehouse job reads the
figures right after each build (``load_status``) and draws the page (``write_status_page``)
while its gate runs. Names are imported on first use, so an
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
    "write_status_page": "impact_warehouse.status_page.render",
}

__all__ = [
    "StatusPageError",
    "load_status",
    "render_status_page",
    "status_page_path",
    "write_status_page",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
