"""The response status page: per open wave and cohort, n/N, target, floor, days left and the
daily curve beside last year's, for staff while a survey is open (issue 18).

``render_status_page`` is the one entry point: the warehouse job calls it after each build
and ``impact status-page`` from the command line.
"""

from __future__ import annotations

from impact_warehouse.status_page.data import StatusPageError, load_status
from impact_warehouse.status_page.render import render_status_page, status_page_path

__all__ = ["StatusPageError", "load_status", "render_status_page", "status_page_path"]
