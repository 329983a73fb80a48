with

source as (

    select * from {{ read_landing_source('panel_file', 'question_map') }}

),

renamed as (

    select
        record_key,
        wave_code,
        fiscal_year,
        question_id,
        question_title,
        item_code,
        match_method,
        item_code is not null as is_matched,
        {{ parse_utc_timestamp('landed_at') }} as landed_at

    from source

)

select * from renamed
