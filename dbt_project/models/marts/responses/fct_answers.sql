{#- Only the latest submission's answers, only catalog items, never personal-data items
    (their answers are pseudonyms and have no place in an analyst table). -#}
with

answers as (

    select * from {{ ref('int_answers__normalised') }}

),

responses as (

    select * from {{ ref('fct_responses') }}

),

item_indicators as (

    select * from {{ ref('item_indicators') }}

),

final as (

    select
        {{ dbt.concat([
            'answers.source_system', "'|'", 'answers.response_record_key', "'|'", 'answers.item_code'
        ]) }} as answer_key,
        responses.response_key,
        answers.source_system,
        responses.wave_code,
        responses.fiscal_year,
        responses.wave_type,
        responses.respondent_key,
        responses.participant_key,
        responses.is_linked,
        responses.is_response,
        responses.cohort_code,
        responses.program_code,
        answers.item_code,
        answers.scale_code,
        item_indicators.indicator_code,
        answers.value_numeric,
        answers.value_text,
        answers.is_valid,
        answers.invalid_reason,
        responses.is_counted and answers.is_valid as is_counted

    from answers

    inner join responses
        on answers.response_record_key = responses.response_key

    left join item_indicators
        on answers.item_code = item_indicators.item_code
        and responses.wave_type = item_indicators.wave_type

    where answers.item_code is not null
        and not answers.is_personal_data

)

select * from final
