"""The demo build of tests/transform/conftest.py, for the analyst tests.

Loaded from its file rather than copied, so the analyst queries run on exactly the demo data
the metric tests check. (Fixtures of a sibling folder's conftest are not visible here.)
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_SOURCE = Path(__file__).parents[1] / "transform" / "conftest.py"
_spec = importlib.util.spec_from_file_location("transform_demo_fixtures", _SOURCE)
assert _spec is not None and _spec.loader is not None
_transform_fixtures = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _transform_fixtures  # dataclasses look their module up there
_spec.loader.exec_module(_transform_fixtures)

demo_warehouse_for_seed = _transform_fixtures.demo_warehouse_for_seed
