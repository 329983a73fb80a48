{#-
    Folder schemas keep their plain names (staging, intermediate, marts, reporting, catalog)
    instead of dbt's default "<target schema>_<custom schema>", so analysts query stable
    names such as marts.fct_answers in every environment.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
