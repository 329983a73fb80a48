"""The staff's response status page, refreshed by every build of the audit warehouse.

Refreshed after the build rather than after the gate: staff need today's rates most when a
wave is open and the gate may be failing. The page is a convenience, so a failure to read or
draw it is logged (as a warning, with the traceback) and never stops the build or a release.

Its figures are read as soon as the build is done (:func:`read_status_page`), before anything
masks or rewrites the audit file; drawing them (the report's plotting modules, the charts, the
font subset: about half a second) can wait. ``impact publish`` draws while the gate runs in
its worker process (:meth:`~impact_warehouse.pipeline.gate_worker.GateWorker.run_gate`'s
``meanwhile``), on the core the gate leaves idle; the DAG's build task draws at once.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from impact_warehouse.settings import Settings

if TYPE_CHECKING:
    from impact_warehouse.status_page.data import StatusData

log = logging.getLogger(__name__)


class PendingStatusPage:
    """Figures read from one build, drawn into the page on the first :meth:`draw`."""

    def __init__(self, settings: Settings, data: StatusData | None) -> None:
        """``data`` None: the figures could not be read; :meth:`draw` writes nothing."""
        self._settings = settings
        self._data = data
        self.path: str | None = None  # the page, once drawn; None until then or if it failed

    def draw(self) -> str | None:
        """Write the page and return its path (None if it failed); once: later calls return
        the first call's answer."""
        data, self._data = self._data, None
        if data is None:
            return self.path
        try:
            # Imported here: a broken plotting install must not fail the build either.
            from impact_warehouse.status_page import write_status_page

            self.path = str(write_status_page(self._settings, data))
        except Exception:
            log.warning("the response status page could not be written", exc_info=True)
        return self.path


def read_status_page(settings: Settings, audit_db: Path) -> PendingStatusPage:
    """The status page's figures for today, read from the build in ``audit_db`` now."""
    try:
        from impact_warehouse.status_page import load_status

        data = load_status(Path(audit_db), None)
    except Exception:
        log.warning("the response status page's figures could not be read", exc_info=True)
        data = None
    return PendingStatusPage(settings, data)
