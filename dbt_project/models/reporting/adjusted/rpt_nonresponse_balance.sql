{#- The follow-up respondents' vs non-respondents' baseline profile
    (fct_nonresponse_balance), with labels. A level describes people (program, cohort,
    employment status, a baseline answer): its row is suppressed when fewer than k targeted
    participants have it, with secondary suppression among the levels of the variable
    (their total, everyone targeted, is published). Nothing is computed here. -#}
with

balance as (

    select * from {{ ref('fct_nonresponse_balance') }}

),

programs as (

    select * from {{ ref('programs') }}

),

employment_statuses as (

    select * from {{ ref('employment_statuses') }}

),

items as (

    select * from {{ ref('items') }}

),

wave_types as (

    select * from {{ ref('wave_types') }}

),

suppression as (

    {{ suppression_flags(
        'balance',
        partition_by=['fiscal_year', 'variable'],
        cell_key='level',
        cell_size='targeted_n',
        total_key=none
    ) }}

),

final as (

    select
        balance.nonresponse_balance_key,
        balance.fiscal_year,
        balance.variable,
        balance.variable_kind,
        case balance.variable_kind
            when 'program' then 'プログラム'
            when 'cohort_year' then '参加年度'
            when 'employment_status' then '参加時の就業状況'
            else {{ dbt.concat(['wave_types.wave_type_ja', "'：'", 'items.report_label_ja']) }}
        end as variable_label_ja,
        balance.wave_type,
        balance.item_code,
        balance.level,
        case
            when balance.level = 'missing' then '不明・無回答'
            when balance.variable_kind = 'program' then programs.program_name_ja
            when balance.variable_kind = 'cohort_year' then {{ dbt.concat(['balance.level', "'年度'"]) }}
            when balance.variable_kind = 'employment_status'
                then employment_statuses.employment_status_ja
            when balance.level = 'yes' then '該当'
            when balance.level = 'no' then '非該当'
        end as level_label_ja,
        {% for column in [
            'targeted_n', 'respondents_n', 'nonrespondents_n', 'respondent_share',
            'nonrespondent_share', 'targeted_share', 'weighted_respondent_share', 'smd',
            'smd_weighted'
        ] -%}
        {{ unless_suppressed('balance.' ~ column) }} as {{ column }},
        {% endfor -%}
        balance.is_in_model,
        balance.weighting_method,
        suppression.is_suppressed,
        suppression.suppression_reason

    from balance

    inner join suppression
        on balance.fiscal_year = suppression.fiscal_year
        and balance.variable = suppression.variable
        and balance.level = suppression.level

    left join programs
        on balance.variable_kind = 'program'
        and balance.level = programs.program_code

    left join employment_statuses
        on balance.variable_kind = 'employment_status'
        and balance.level = employment_statuses.employment_status_code

    left join items
        on balance.item_code = items.item_code

    left join wave_types
        on balance.wave_type = wave_types.wave_type

)

select * from final
