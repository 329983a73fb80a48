"""Run a document's walk-through literally: every ``bash`` block between the markers, in order.

Shared by the README walk-through test and the Japanese staff guide's test. The blocks run in
a copy of the repository (so the real seeds stay untouched) with the test's Python environment
as ``.venv``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

BEGIN, END = "<!-- walkthrough:begin -->", "<!-- walkthrough:end -->"
BASH_BLOCK = re.compile(r"^```bash\n(.*?)^```$", re.DOTALL | re.MULTILINE)
# Local state that a copy of the checkout must not inherit.
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", ".work", "__pycache__", ".pytest_cache", ".ruff_cache", "target", "logs"
)


def walkthrough_script(document: str, *, min_blocks: int) -> str:
    """The document's command blocks between the markers, as one fail-fast bash script."""
    start, end = document.index(BEGIN), document.index(END)
    blocks = BASH_BLOCK.findall(document[start:end])
    assert len(blocks) >= min_blocks, "the walk-through lost its command blocks"
    return "set -euo pipefail\n" + "\n".join(blocks)


def copy_checkout(project_root: Path, destination: Path) -> Path:
    """A copy of the repository whose ``.venv`` is the running test environment."""
    shutil.copytree(project_root, destination, ignore=NOT_COPIED)
    (destination / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    return destination


def run_walkthrough(checkout: Path, script: str, *, timeout: int) -> subprocess.CompletedProcess:
    """Run ``script`` in ``checkout`` with its own work folder, as a user would."""
    env = {
        **os.environ,
        "IMPACT_PROJECT_DIR": str(checkout),
        "IMPACT_WORK_DIR": str(checkout / ".work"),
    }
    return subprocess.run(
        ["bash", "-c", script],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
