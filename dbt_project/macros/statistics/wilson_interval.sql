{#-
    Wilson score interval for a share successes / n (METRICS.md: confidence intervals for
    shares are Wilson score, 95%). Arguments are SQL expressions; null when n is 0 or null.
    z defaults to the two-sided 95% normal quantile that statsmodels uses
    (proportion_confint(method="wilson")).

    centre     = (p + z²/2n) / (1 + z²/n)
    half_width = z / (1 + z²/n) · sqrt(p(1 − p)/n + z²/4n²)
-#}
{% macro wilson_interval_lower(successes, n, z=1.959963984540054) -%}
    ({{ _wilson_centre(successes, n, z) }} - {{ _wilson_half_width(successes, n, z) }})
{%- endmacro %}

{% macro wilson_interval_upper(successes, n, z=1.959963984540054) -%}
    ({{ _wilson_centre(successes, n, z) }} + {{ _wilson_half_width(successes, n, z) }})
{%- endmacro %}

{% macro _wilson_share(successes, n) -%}
    (cast({{ successes }} as {{ type_double() }}) / nullif(cast({{ n }} as {{ type_double() }}), 0))
{%- endmacro %}

{% macro _wilson_n(n) -%}
    nullif(cast({{ n }} as {{ type_double() }}), 0)
{%- endmacro %}

{% macro _wilson_centre(successes, n, z) -%}
    (({{ _wilson_share(successes, n) }} + {{ z }} * {{ z }} / (2 * {{ _wilson_n(n) }}))
        / (1 + {{ z }} * {{ z }} / {{ _wilson_n(n) }}))
{%- endmacro %}

{% macro _wilson_half_width(successes, n, z) -%}
    ({{ z }} / (1 + {{ z }} * {{ z }} / {{ _wilson_n(n) }})
        * sqrt(
            {{ _wilson_share(successes, n) }} * (1 - {{ _wilson_share(successes, n) }}) / {{ _wilson_n(n) }}
            + {{ z }} * {{ z }} / (4 * {{ _wilson_n(n) }} * {{ _wilson_n(n) }})
        ))
{%- endmacro %}
