with

source as (

    select * from {{ read_landing_source('operations', 'organisations') }}

),

renamed as (

    select
        record_key,
        organisation_id,
        organisation_name,
        prefecture,
        field_ja,
        source_file,
        source_file_sha256,
        sheet_name,
        row_number as source_row_number,
        batch_id,
        {{ parse_utc_timestamp('landed_at') }} as landed_at

    from source

)

select * from renamed
