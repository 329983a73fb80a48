"""Reading a rendered report page in tests: its missing-translations appendix."""

from __future__ import annotations

import re

MISSING_SECTION = re.compile(r'<section id="missing-translations".*?</section>', re.S)
_APPENDIX_ROW = re.compile(r'<tr data-file="([^"]+)" data-row="([^"]+)" data-column="([^"]+)">')


def appendix_rows(page: str) -> list[tuple[str, str, str]]:
    """(file, row, column) of every word the missing-translations appendix lists, in order."""
    appendix = MISSING_SECTION.search(page)
    assert appendix, "no missing-translations appendix"
    return _APPENDIX_ROW.findall(appendix.group(0))
