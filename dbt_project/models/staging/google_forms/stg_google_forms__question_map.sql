with

source as (

    select * from {{ read_landing_source('google_forms', 'question_map') }}

),

renamed as (

    select
        record_key,
        form_id,
        wave_code,
        fiscal_year,
        form_revision,
        form_content_hash,
        question_id,
        question_title,
        question_kind,
        item_code,
        match_method,
        item_code is not null as is_matched,
        {{ parse_utc_timestamp('landed_at') }} as landed_at

    from source

)

select * from renamed
