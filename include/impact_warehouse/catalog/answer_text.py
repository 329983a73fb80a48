"""Answer text as the warehouse reads it before matching it to a scale's labels, shared by the
landing check (:mod:`.answers`) and the catalog check of the labels (:mod:`.scales`)."""

from __future__ import annotations

# What the warehouse does to an answer before matching it to a label (dbt_project/macros/
# normalise_digits.sql): full-width digits, point, signs, comma and space to ASCII, tabs and
# line breaks to spaces, surrounding spaces trimmed. Labels are matched so here too, on both
# sides: with NFKC, a label written with full-width brackets (ふつう（どちらでもない）) was
# reported as an unknown label while the warehouse counted every such answer.
_AS_THE_WAREHOUSE_READS = str.maketrans(
    "０１２３４５６７８９．－＋，　\t\n\r", "0123456789.-+,    "
)


# What DuckDB's trim() removes: the Unicode space separators (category Zs), no more (it keeps
# U+2028, U+0085 and the ASCII controls that str.strip() would also remove).
_SPACE_SEPARATORS = (
    "\u0020\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000"
)


def as_the_warehouse_reads(text: str) -> str:
    return text.translate(_AS_THE_WAREHOUSE_READS).strip(_SPACE_SEPARATORS)
