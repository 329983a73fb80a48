with

source as (

    select * from {{ read_landing_source('google_forms', 'responses') }}

),

renamed as (

    select
        record_key,
        form_id,
        wave_code,
        response_id,
        respondent_pseudonym,
        {{ parse_utc_timestamp('create_time') }} as created_at,
        {{ parse_utc_timestamp('last_submitted_time') }} as last_submitted_at,
        last_submitted_time,
        {{ parse_utc_timestamp('landed_at') }} as landed_at,
        batch_id

    {# The FormResponse JSON stays in landing: stg_google_forms__answers reads it there for
        the versions staged here. Written into the warehouse and read back, it cost more than
        reading landing twice (issue 19, 1000x the demo). #}
    from source

)

select * from renamed
