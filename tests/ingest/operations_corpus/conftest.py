"""Fixtures of the operations bad-input corpus: an inbox of its own per test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from operations_workbooks import OperationsInbox, Sheets, good_sheets


@pytest.fixture
def inbox(tmp_path: Path) -> OperationsInbox:
    return OperationsInbox(tmp_path)


@pytest.fixture
def sheets() -> Callable[..., Sheets]:
    return good_sheets
