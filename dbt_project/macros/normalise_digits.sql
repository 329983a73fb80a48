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
    {{ return(adapter.dispatch('normalise_digits', 'impact_warehouse')(expression, full_width, ascii)) }}
{%- endmacro %}

{% macro default__normalise_digits(expression, full_width, ascii) -%}
    trim(translate({{ expression }}, '{{ full_width }}', '{{ ascii }}'))
{%- endmacro %}

{#- DuckDB's translate costs ten times a scan for the characters: 12 million answers took
    4.5 s to translate, 0.8 s to scan and translate only the few that hold one (issue 19,
    1000x the demo). A text without any of them translates to itself, so only trim is left. -#}
{% macro duckdb__normalise_digits(expression, full_width, ascii) -%}
    case
        when regexp_matches({{ expression }}, '[{{ full_width }}]')
            then trim(translate({{ expression }}, '{{ full_width }}', '{{ ascii }}'))
        else trim({{ expression }})
    end
{%- endmacro %}
