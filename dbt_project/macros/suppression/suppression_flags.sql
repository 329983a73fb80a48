{#-
    Small-cell suppression (METRICS.md "Small cells") for a set of published cells.

    Returns a select of partition_by, cell_key and four columns: is_primary_suppressed,
    is_secondary_suppressed, is_suppressed, suppression_reason ('denominator_below_k',
    'small_group_derivable' or 'complementary'). Join it back to the cells on partition_by +
    cell_key (none may be null).

    relation      a ref or CTE name with one row per cell
    partition_by  columns naming a group of cells that add up to a total (e.g. one item in
                  one fiscal year: the programs add up to 'all')
    cell_key      column telling the cells of a group apart (e.g. program_code)
    cell_size     SQL expression, the cell's denominator (respondents)
    total_key     the cell_key value of the group's total, or none when no cell is a total
    k             smallest publishable denominator; defaults to var('suppression_k', 5)
    small_group_derivable
                  optional SQL condition that also makes a cell primary: a group below k
                  could be derived from it and a cell outside this partition (e.g. a
                  subgroup nested in a larger published group of the same people)

    The rule, per group:
    1. Primary: a cell whose denominator is below k (or null) is suppressed, and so is a
       cell for which small_group_derivable holds.
    2. Secondary: if any part (a cell other than the total) is suppressed, the published
       parts are suppressed too, smallest first, until at least two parts are suppressed and
       together they hold at least k respondents. Then "total minus the published parts"
       recovers only the sum of two or more suppressed parts, itself not a small cell.
    3. If the parts run out before that (e.g. the total has a single part), the total is
       suppressed as well.
    4. If the total is suppressed while every part is published, the smallest part is
       suppressed too, so the total is not their sum.
    A distribution's categories share one denominator, so they are suppressed together with
    their row and no category can be recovered from the others.
-#}
{% macro suppression_flags(
    relation, partition_by, cell_key, cell_size, total_key='all', k=none,
    small_group_derivable=none
) -%}
{%- set k = k if k is not none else var('suppression_k', 5) -%}
{%- set partition = partition_by | join(', ') -%}
{%- set published_part_first -%}
    case when is_part and not is_primary_suppressed then 0 else 1 end, cell_size, {{ cell_key }}
{%- endset -%}
select
    {{ partition }},
    {{ cell_key }},
    is_primary_suppressed,
    is_secondary_suppressed,
    is_primary_suppressed or is_secondary_suppressed as is_suppressed,
    case
        when cell_size < {{ k }} then 'denominator_below_k'
        when is_primary_suppressed then 'small_group_derivable'
        when is_secondary_suppressed then 'complementary'
    end as suppression_reason

from (

    select
        group_totals.*,
        case
            when is_primary_suppressed then false
            when is_part and primary_parts > 0 then not (
                primary_parts + published_rank - 1 >= 2
                and primary_size + published_size_before >= {{ k }}
            )
            when is_part then is_total_primary and published_rank = 1
            when primary_parts > 0 then not (
                primary_parts + published_parts >= 2
                and primary_size + published_size >= {{ k }}
            )
            else false
        end as is_secondary_suppressed

    from (

        select
            cells.*,
            sum(case when is_part and is_primary_suppressed then 1 else 0 end)
                over (partition by {{ partition }}) as primary_parts,
            sum(case when not is_part and is_primary_suppressed then 1 else 0 end)
                over (partition by {{ partition }}) > 0 as is_total_primary,
            sum(case when is_part and is_primary_suppressed then cell_size else 0 end)
                over (partition by {{ partition }}) as primary_size,
            sum(case when is_part and not is_primary_suppressed then 1 else 0 end)
                over (partition by {{ partition }}) as published_parts,
            sum(case when is_part and not is_primary_suppressed then cell_size else 0 end)
                over (partition by {{ partition }}) as published_size,
            row_number() over (
                partition by {{ partition }} order by {{ published_part_first }}
            ) as published_rank,
            coalesce(sum(case when is_part and not is_primary_suppressed then cell_size else 0 end)
                over (
                    partition by {{ partition }} order by {{ published_part_first }}
                    rows between unbounded preceding and 1 preceding
                ), 0) as published_size_before

        from (

            select
                {{ partition }},
                {{ cell_key }},
                coalesce({{ cell_size }}, 0) as cell_size,
                {% if total_key is none -%}
                true
                {%- else -%}
                {{ cell_key }} <> '{{ total_key }}'
                {%- endif %} as is_part,
                coalesce({{ cell_size }}, 0) < {{ k }}
                {%- if small_group_derivable is not none %}
                    or coalesce({{ small_group_derivable }}, false)
                {%- endif %} as is_primary_suppressed

            from {{ relation }}

        ) as cells

    ) as group_totals

) as flagged
{%- endmacro %}
