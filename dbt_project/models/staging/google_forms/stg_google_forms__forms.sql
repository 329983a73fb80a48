with

source as (

    select * from {{ read_landing_source('google_forms', 'forms') }}

),

renamed as (

    select
        record_key,
        form_id,
        wave_code,
        {{ json_extract_text('form', ['revisionId']) }} as form_revision,
        {{ json_extract_text('form', ['info', 'title']) }} as form_title,
        {{ parse_utc_timestamp('landed_at') }} as landed_at,
        form

    from source

)

select * from renamed
