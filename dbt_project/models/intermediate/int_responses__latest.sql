{#- METRICS.md "Which answers count": latest submission wins per respondent and wave (Forms:
    lastSubmittedTime; panel: 回答日時, conflicting equal-time rows excluded, as
    stg_panel_file__responses.row_status); a response is linked when its respondent is
    targeted by the wave (comparison-panel rows are their own target population); AAPOR RR1
    ("Response rate"): a response counts only if its latest submission holds at least one
    valid answer to a catalog item, so a submission whose only answers were quarantined
    (out_of_scale, unparseable_value, unknown_label) is not a response. -#}
with

forms_responses as (

    select * from {{ ref('stg_google_forms__responses') }}

),

panel_responses as (

    select * from {{ ref('stg_panel_file__responses') }}

),

answers as (

    select * from {{ ref('int_answers__normalised') }}

),

waves as (

    select * from {{ ref('waves') }}

),

wave_targets as (

    select * from {{ ref('int_wave_targets') }}

),

all_versions as (

    select
        'google_forms' as source_system,
        record_key as response_key,
        wave_code,
        {#- A response without an email cannot be linked; it is its own respondent. -#}
        coalesce(respondent_pseudonym, {{ dbt.concat(["'no-email|'", 'response_id']) }})
            as respondent_key,
        respondent_pseudonym,
        last_submitted_at as submitted_at,
        response_id as tie_breaker

    from forms_responses

    union all

    select
        'panel_file' as source_system,
        record_key as response_key,
        wave_code,
        sample_pseudonym as respondent_key,
        sample_pseudonym as respondent_pseudonym,
        answered_at as submitted_at,
        record_key as tie_breaker

    from panel_responses

    where row_status <> 'conflicting'

),

ranked as (

    select
        all_versions.*,
        count(*) over (partition by wave_code, respondent_key) as submission_count,
        {#- When the respondent first answered (fct_response_progress counts her from that day). -#}
        min(submitted_at) over (partition by wave_code, respondent_key) as first_submitted_at,
        row_number() over (
            partition by wave_code, respondent_key
            order by submitted_at desc nulls last, tie_breaker desc
        ) as submission_rank

    from all_versions

),

latest as (

    select * from ranked where submission_rank = 1

),

{#- int_answers__normalised has one row per (source_system, response_record_key, item_code),
    so counting rows counts items: count(distinct) over 12 million answers took 5 of this
    model's 7 seconds at 1000x the demo (issue 19). -#}
catalog_items_answered as (

    select
        source_system,
        response_record_key,
        count(*) as catalog_items_answered,
        sum(case when is_valid then 1 else 0 end) as valid_catalog_items_answered

    from answers

    where not is_personal_data

    group by source_system, response_record_key

),

final as (

    select
        latest.response_key,
        latest.source_system,
        latest.wave_code,
        latest.respondent_key,
        wave_targets.participant_key,
        case
            when waves.wave_type = 'comparison' then true
            else wave_targets.participant_key is not null
        end as is_linked,
        wave_targets.cohort_code,
        wave_targets.program_code,
        latest.submitted_at,
        latest.first_submitted_at,
        latest.submission_count,
        coalesce(catalog_items_answered.catalog_items_answered, 0) as catalog_items_answered,
        coalesce(catalog_items_answered.valid_catalog_items_answered, 0)
            as valid_catalog_items_answered,
        coalesce(catalog_items_answered.valid_catalog_items_answered, 0) > 0 as is_response

    from latest

    inner join waves
        on latest.wave_code = waves.wave_code

    left join wave_targets
        on latest.wave_code = wave_targets.wave_code
        and latest.respondent_pseudonym = wave_targets.participant_key
        and waves.wave_type <> 'comparison'

    left join catalog_items_answered
        on latest.source_system = catalog_items_answered.source_system
        and latest.response_key = catalog_items_answered.response_record_key

)

select * from final
