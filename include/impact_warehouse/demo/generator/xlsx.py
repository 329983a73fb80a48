"""Save openpyxl workbooks byte for byte reproducibly.

openpyxl stamps ``modified`` with the wall clock in ``save_workbook`` and zip entries with the
current time (``ZipFile.writestr`` / ``write``). Both are replaced by one fixed moment here, so
the same data always gives the same file (and the determinism test can compare bytes).
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

_OWNER_READ_WRITE = 0o600 << 16


class _FixedTimeZip(ZipFile):
    """A zip archive whose every entry carries the same timestamp and permissions."""

    def __init__(self, path: Path, moment: datetime) -> None:
        super().__init__(path, "w", ZIP_DEFLATED, allowZip64=True)
        self._date_time = moment.timetuple()[:6]

    def _info(self, name: str, size: int = 0) -> ZipInfo:
        info = ZipInfo(name, date_time=self._date_time)
        info.compress_type = ZIP_DEFLATED
        info.external_attr = _OWNER_READ_WRITE
        info.file_size = size
        return info

    def writestr(  # type: ignore[override]
        self,
        zinfo_or_arcname: str | ZipInfo,
        data: str | bytes,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        name = (
            zinfo_or_arcname.filename if isinstance(zinfo_or_arcname, ZipInfo) else zinfo_or_arcname
        )
        super().writestr(self._info(name), data)

    def write(  # type: ignore[override]
        self,
        filename: str | os.PathLike[str],
        arcname: str | None = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        # openpyxl streams write-only sheets through a temporary file added with write().
        info = self._info(arcname or os.fspath(filename), os.path.getsize(filename))
        with open(filename, "rb") as source, self.open(info, "w") as target:
            shutil.copyfileobj(source, target, 1 << 20)


def save_stable(workbook: Workbook, path: Path, moment: datetime) -> None:
    """Save ``workbook`` with ``moment`` as its created/modified time and every zip timestamp."""
    workbook.properties.created = moment
    workbook.properties.modified = moment
    ExcelWriter(workbook, _FixedTimeZip(path, moment)).save()
