{#- Covariate balance before and after re-weighting the panel (fct_covariate_balance), the
    love plot's numbers, with the covariates' labels. A covariate level describes people: its
    follow-up count is suppressed below k, with secondary suppression among the levels of the
    covariate (their total is the published number of respondents); a level nobody has is
    not a small cell. Shares and ASMDs go with their counts. Nothing is computed here. -#}
with

balance as (

    select * from {{ ref('fct_covariate_balance') }}

),

covariates as (

    select * from {{ ref('covariates') }}

),

items as (

    select * from {{ ref('items') }}

),

scale_labels as (

    select * from {{ ref('scale_labels') }}

),

cells as (

    select
        balance.*,
        case
            when balance.followup_n = 0 then {{ var('suppression_k', 5) }}
            else balance.followup_n
        end as cell_size

    from balance

),

suppression as (

    {{ suppression_flags(
        'cells',
        partition_by=['fiscal_year', 'item_code'],
        cell_key='level',
        cell_size='cell_size',
        total_key=none
    ) }}

),

final as (

    select
        cells.covariate_balance_key,
        cells.fiscal_year,
        cells.item_code,
        covariates.covariate_ja,
        covariates.display_order,
        cells.level,
        case
            when cells.level = 'missing' then '無回答'
            else coalesce(scale_labels.label_ja, cells.level)
        end as level_label_ja,
        {% for column in [
            'followup_n', 'comparison_n', 'followup_share', 'comparison_share',
            'comparison_weighted_share', 'asmd_before', 'asmd_after'
        ] -%}
        {{ unless_suppressed('cells.' ~ column) }} as {{ column }},
        {% endfor -%}
        cells.meets_panel_screening,
        cells.weighting_method,
        suppression.is_suppressed,
        suppression.suppression_reason

    from cells

    inner join suppression
        on cells.fiscal_year = suppression.fiscal_year
        and cells.item_code = suppression.item_code
        and cells.level = suppression.level

    inner join covariates
        on cells.item_code = covariates.item_code

    inner join items
        on cells.item_code = items.item_code

    left join scale_labels
        on items.scale_code = scale_labels.scale_code
        and cells.level = {{ dbt.cast('scale_labels.value_code', dbt.type_string()) }}

)

select * from final
