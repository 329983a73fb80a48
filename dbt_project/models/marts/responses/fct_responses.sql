with

latest_responses as (

    select * from {{ ref('int_responses__latest') }}

),

waves as (

    select * from {{ ref('waves') }}

),

final as (

    select
        latest_responses.response_key,
        latest_responses.wave_code,
        waves.fiscal_year,
        waves.wave_type,
        latest_responses.source_system,
        latest_responses.respondent_key,
        latest_responses.participant_key,
        latest_responses.is_linked,
        latest_responses.is_response,
        latest_responses.is_linked and latest_responses.is_response as is_counted,
        latest_responses.cohort_code,
        latest_responses.program_code,
        latest_responses.submitted_at,
        latest_responses.submission_count,
        latest_responses.catalog_items_answered

    from latest_responses

    inner join waves
        on latest_responses.wave_code = waves.wave_code

)

select * from final
