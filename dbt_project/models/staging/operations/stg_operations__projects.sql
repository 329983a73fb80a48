with

source as (

    select * from {{ read_landing_source('operations', 'projects') }}

),

renamed as (

    select
        record_key,
        project_id,
        program_name_ja,
        program_code,
        {{ dbt.safe_cast(normalise_digits('fiscal_year'), dbt.type_int()) }} as fiscal_year,
        fiscal_year as fiscal_year_text,
        project_name,
        organisation_id,
        {{ dbt.safe_cast(normalise_digits('team_size'), dbt.type_int()) }} as team_size,
        team_size as team_size_text,
        team_form_ja,
        source_file,
        source_file_sha256,
        sheet_name,
        row_number as source_row_number,
        batch_id,
        {{ parse_utc_timestamp('landed_at') }} as landed_at

    from source

)

select * from renamed
