{#- METRICS.md "Pre/post shift": every item asked at both pre and post whose scale is read as
    numbers (scales.csv value_type code, integer or decimal) is compared on paired
    participants only, those with a counted answer in both waves of the
    same fiscal year and program. Participants who answered only one wave stay here
    (is_paired = false) so the unpaired shares can be traced to the same rows. -#}
with

answers as (

    select * from {{ ref('fct_answers') }}

),

items as (

    select * from {{ ref('items') }}

),

scales as (

    select * from {{ ref('scales') }}

),

pre_post_items as (

    select
        items.item_code,
        items.scale_code

    from items

    inner join scales
        on items.scale_code = scales.scale_code

    where scales.value_type in ('code', 'integer', 'decimal')
        and {{ dbt.concat(["'|'", 'asked_in', "'|'"]) }} like '%|pre|%'
        and {{ dbt.concat(["'|'", 'asked_in', "'|'"]) }} like '%|post|%'

),

counted_scores as (

    select
        answers.fiscal_year,
        answers.program_code,
        answers.participant_key,
        answers.item_code,
        answers.wave_type,
        answers.wave_code,
        answers.answer_key,
        answers.value_numeric

    from answers

    inner join pre_post_items
        on answers.item_code = pre_post_items.item_code

    where answers.is_counted
        and answers.wave_type in ('pre', 'post')
        and answers.participant_key is not null
        and answers.value_numeric is not null

),

pre_scores as (

    select * from counted_scores where wave_type = 'pre'

),

post_scores as (

    select * from counted_scores where wave_type = 'post'

),

paired as (

    select
        coalesce(pre_scores.fiscal_year, post_scores.fiscal_year) as fiscal_year,
        coalesce(pre_scores.program_code, post_scores.program_code) as program_code,
        coalesce(pre_scores.participant_key, post_scores.participant_key) as participant_key,
        coalesce(pre_scores.item_code, post_scores.item_code) as item_code,
        pre_scores.wave_code as pre_wave_code,
        post_scores.wave_code as post_wave_code,
        pre_scores.answer_key as pre_answer_key,
        post_scores.answer_key as post_answer_key,
        pre_scores.value_numeric as pre_value,
        post_scores.value_numeric as post_value

    from pre_scores

    full outer join post_scores
        on pre_scores.fiscal_year = post_scores.fiscal_year
        and pre_scores.program_code = post_scores.program_code
        and pre_scores.participant_key = post_scores.participant_key
        and pre_scores.item_code = post_scores.item_code

),

final as (

    select
        {{ dbt.concat([
            dbt.cast('paired.fiscal_year', dbt.type_string()),
            "'|'", 'paired.program_code',
            "'|'", 'paired.participant_key',
            "'|'", 'paired.item_code',
        ]) }} as paired_score_key,
        paired.fiscal_year,
        paired.program_code,
        paired.participant_key,
        paired.item_code,
        pre_post_items.scale_code,
        paired.pre_wave_code,
        paired.post_wave_code,
        paired.pre_answer_key,
        paired.post_answer_key,
        paired.pre_value,
        paired.post_value,
        paired.post_value - paired.pre_value as difference,
        paired.pre_value is not null and paired.post_value is not null as is_paired

    from paired

    inner join pre_post_items
        on paired.item_code = pre_post_items.item_code

)

select * from final
