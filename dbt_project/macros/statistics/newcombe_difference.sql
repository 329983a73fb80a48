{#-
    Newcombe (1998, method 10) hybrid Wilson score interval for a difference of two
    independent shares p1 − p2 = x1/n1 − x2/n2 (METRICS.md: comparison difference, 95% CI).
    Matches statsmodels confint_proportions_2indep(method="newcomb", compare="diff").
    Arguments are SQL expressions; null when n1 or n2 is 0 or null.

    lower = (p1 − p2) − sqrt((p1 − l1)² + (u2 − p2)²)
    upper = (p1 − p2) + sqrt((u1 − p1)² + (p2 − l2)²)
    where (l1, u1) and (l2, u2) are the Wilson intervals of each share.
-#}
{% macro newcombe_difference_lower(x1, n1, x2, n2, z=1.959963984540054) -%}
    {%- set p1 = _wilson_share(x1, n1) -%}
    {%- set p2 = _wilson_share(x2, n2) -%}
    (({{ p1 }} - {{ p2 }}) - sqrt(
        ({{ p1 }} - {{ wilson_interval_lower(x1, n1, z) }}) * ({{ p1 }} - {{ wilson_interval_lower(x1, n1, z) }})
        + ({{ wilson_interval_upper(x2, n2, z) }} - {{ p2 }}) * ({{ wilson_interval_upper(x2, n2, z) }} - {{ p2 }})
    ))
{%- endmacro %}

{% macro newcombe_difference_upper(x1, n1, x2, n2, z=1.959963984540054) -%}
    {%- set p1 = _wilson_share(x1, n1) -%}
    {%- set p2 = _wilson_share(x2, n2) -%}
    (({{ p1 }} - {{ p2 }}) + sqrt(
        ({{ wilson_interval_upper(x1, n1, z) }} - {{ p1 }}) * ({{ wilson_interval_upper(x1, n1, z) }} - {{ p1 }})
        + ({{ p2 }} - {{ wilson_interval_lower(x2, n2, z) }}) * ({{ p2 }} - {{ wilson_interval_lower(x2, n2, z) }})
    ))
{%- endmacro %}
