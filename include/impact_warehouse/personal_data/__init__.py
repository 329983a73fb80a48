"""The one personal-data detector: landing scrubs with it, the gate verifies with it, exports
check with it. See :mod:`impact_warehouse.personal_data.detector`."""

from impact_warehouse.personal_data.detector import (
    KINDS,
    MASK_TOKENS,
    Finding,
    find_personal_data,
    mask_personal_data,
    mask_token,
    redact,
)
from impact_warehouse.personal_data.names import RosterNames

__all__ = [
    "KINDS",
    "MASK_TOKENS",
    "Finding",
    "RosterNames",
    "find_personal_data",
    "mask_personal_data",
    "mask_token",
    "redact",
]
