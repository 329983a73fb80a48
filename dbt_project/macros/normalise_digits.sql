{#-
    The part of NFKC that matters for reading answers, in portable SQL (DuckDB has only
    nfc_normalize): full-width digits, point, signs, comma and space become ASCII, tabs and
    line breaks become spaces, then surrounding spaces are trimmed.
    METRICS.md: full-width digits ("７") and surrounding spaces are normalised before an
    answer is judged valid, not after.
-#}
{% macro normalise_digits(expression) -%}
    {%- set full_width = '０１２３４５６７８９．－＋，　' ~ '\t\n\r' -%}
    {%- set ascii = '0123456789.-+, ' ~ '   ' -%}
    trim(translate({{ expression }}, '{{ full_width }}', '{{ ascii }}'))
{%- endmacro %}
