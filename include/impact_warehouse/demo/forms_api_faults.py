"""Fault injection for the demo Forms API server: scripted 429/5xx answers and slow replies,
consumed one per request so a test knows exactly which request fails."""

from __future__ import annotations

from dataclasses import dataclass, field

FAULT_STATUSES = {
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_FAULT_WORDS = frozenset({"ok", "slow"})


@dataclass
class FaultPlan:
    """Deterministic fault injection, consumed one scripted item per request in arrival order.

    ``scripted`` items are ``"ok"``, ``"slow"`` (delay by ``slow_seconds`` then answer
    normally) or an HTTP status among 429/500/502/503/504 answered with a Google-style error
    body; 429 carries ``Retry-After: <retry_after_seconds>``. ``delay_every_request`` is a
    delay in seconds added to every request (0 disables it), to simulate a slow link.
    """

    scripted: list[str] = field(default_factory=list)
    retry_after_seconds: float = 1
    slow_seconds: float = 2.0
    delay_every_request: float = 0.0

    def __post_init__(self) -> None:
        for item in self.scripted:
            if item not in _FAULT_WORDS and not (item.isdigit() and int(item) in FAULT_STATUSES):
                allowed = sorted(_FAULT_WORDS) + [str(code) for code in FAULT_STATUSES]
                raise ValueError(f"unknown fault {item!r} in FaultPlan.scripted; use {allowed}")


def format_seconds(seconds: float) -> str:
    # Integral values as plain integers, like real servers send; fractions only for fast tests.
    return str(int(seconds)) if float(seconds).is_integer() else repr(float(seconds))
