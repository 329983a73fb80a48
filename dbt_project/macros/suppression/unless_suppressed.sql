{#- A published cell: the expression, or null when the row is suppressed (METRICS.md "Small
    cells": a suppressed cell shows null, never 0). flag is the row's is_suppressed. -#}
{% macro unless_suppressed(expression, flag='suppression.is_suppressed') -%}
    case when not {{ flag }} then {{ expression }} end
{%- endmacro %}
