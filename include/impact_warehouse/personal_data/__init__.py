"""The one personal-data detector: landing scrubs with it, the gate verifies with it, exports
check with it. See :mod:`impact_warehouse.personal_data.detector`."""

from impact_warehouse.personal_data.detector import Finding, find_personal_data, redact

__all__ = ["Finding", "find_personal_data", "redact"]
