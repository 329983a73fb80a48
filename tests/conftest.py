"""Test session setup: an isolated work folder and embedded Airflow for the whole run.

Set before anything imports Airflow or reads settings, so no test touches the developer's
own ``.work/`` folder.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_SESSION_WORK = Path(tempfile.mkdtemp(prefix="impact-tests-"))
os.environ["IMPACT_WORK_DIR"] = str(_SESSION_WORK)
os.environ.setdefault("IMPACT_PSEUDONYM_KEY", "test-key-not-secret")

from impact_warehouse.airflow_env import airflow_environment  # noqa: E402

os.environ.update(airflow_environment())
