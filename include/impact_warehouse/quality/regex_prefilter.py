"""A DuckDB (RE2) pattern that matches at least every text a Python regex matches.

The personal-data check runs its regexes through GX on every distinct text value of the
analyst tables: millions at scale, each searched by Python's `re` (60 s at 100×). DuckDB can
discard the values that cannot match first, if its pattern is a superset of the Python one:

* look-around assertions are removed (RE2 has none): an assertion only ever rejects
  matches, so without it the pattern matches at least as much;
* `\\d` becomes `\\p{Nd}`, exactly what `\\d` means for a Python str pattern.

Anything whose meaning differs between the engines (`\\w`, `\\s`, `\\b`, back-references,
named groups, conditionals) gives None, and the caller keeps every value.
"""

from __future__ import annotations

import re

_LOOKAROUND_OPENERS = ("(?=", "(?!", "(?<=", "(?<!")
# Python-only or differently defined constructs: no superset can be promised for these.
# "$" is unsafe too: Python's also matches before a final newline, RE2's does not.
_UNSAFE = re.compile(r"\\[wWsSbBAZzG1-9]|\(\?P|\(\?\(|\\[pPN]|\(\?#|\(\?[a-zA-Z]*x|(?<!\\)\$")


def _group_end(pattern: str, start: int) -> int:
    """Index just past the group opening at ``start`` (escapes and classes respected)."""
    depth = 0
    index = start
    in_class = False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
        elif char == "[":
            in_class = True
            # A "]" right after "[" or "[^" is a literal member, not the end of the class.
            if pattern[index + 1 : index + 2] == "^":
                index += 1
            if pattern[index + 1 : index + 2] == "]":
                index += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    raise ValueError(f"unbalanced group in regex {pattern!r}")


def _without_lookarounds(pattern: str) -> str:
    out = []
    index = 0
    in_class = False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif pattern.startswith(_LOOKAROUND_OPENERS, index):
            index = _group_end(pattern, index)
            continue
        out.append(char)
        index += 1
    return "".join(out)


def re2_superset(pattern: str) -> str | None:
    """An RE2 pattern matching (searching) every string that ``pattern`` matches, or None."""
    if _UNSAFE.search(pattern):
        return None
    try:
        stripped = _without_lookarounds(pattern)
    except ValueError:
        return None
    superset = stripped.replace(r"\d", r"\p{Nd}").replace(r"\D", r"\P{Nd}")
    if not superset or superset in ("()", "(?:)"):
        return None
    return superset


_QUANTIFIER_START = ("?", "*", "{0", "{,")


def required_literal(superset: str) -> str | None:
    """A character every match of ``superset`` contains, found at its top level, or None.

    DuckDB's `contains` rejects most values for nearly nothing, before any regex runs: for
    the email pattern ("@") it took the check from 5 s to 0.4 s at 100×. Only a literal
    outside groups and classes, not optional, in a pattern without top-level alternatives
    qualifies; letters are skipped when the pattern may ignore case.
    """
    ignore_case = re.search(r"\(\?[a-zA-Z]*i", superset) is not None
    depth = 0
    in_class = False
    candidate: str | None = None
    index = 0
    while index < len(superset):
        char = superset[index]
        literal: str | None = None
        step = 1
        if char == "\\":
            escaped = superset[index + 1 : index + 2]
            step = 2
            if not in_class and depth == 0 and escaped and not escaped.isalnum():
                literal = escaped
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            # "]" right after "[" or "[^" is a member of the class, not its end.
            end = index + 1
            if superset[end : end + 1] == "^":
                end += 1
            if superset[end : end + 1] == "]":
                end += 1
            step = end - index
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return None
        elif depth == 0 and char not in ".^$?*+{}":
            literal = char
        following = superset[index + step : index + step + 2]
        if (
            literal is not None
            and candidate is None
            and not following.startswith(_QUANTIFIER_START)
            and not (ignore_case and literal.isalpha())
        ):
            candidate = literal
        index += step
    return candidate
