"""Display rounding, once for the whole report (METRICS.md "Display rounding"): half up, as the
seed report and Japanese reports round (18/32 = 56.25% → 56.3%), never Python's round-half-even
(56.2%). Stored values keep full precision; only what is printed is rounded."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def half_up(value: float, decimals: int) -> Decimal:
    """``value`` rounded half up (56.25 → 56.3), from its shortest repr, not its binary tail."""
    exponent = Decimal(1).scaleb(-decimals)
    # "+ 0" turns -0.0 (a bound a rounding error below 0) into 0.
    return Decimal(repr(float(value))).quantize(exponent, rounding=ROUND_HALF_UP) + 0


def fixed(value: float, decimals: int, *, sign: bool = False) -> str:
    """``value`` printed with ``decimals`` places, rounded half up; ``sign`` adds "+" to ≥ 0."""
    number = half_up(value, decimals)
    text = f"{number:.{decimals}f}"
    return f"+{text}" if sign and number >= 0 else text


def percent(share: float, decimals: int = 1) -> str:
    """A share (0–1) in percent without the sign: 0.5625 → "56.3"."""
    return fixed(share * 100, decimals)
