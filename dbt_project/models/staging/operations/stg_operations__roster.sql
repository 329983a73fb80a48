with

source as (

    select * from {{ read_landing_source('operations', 'roster') }}

),

renamed as (

    select
        record_key,
        participant_pseudonym,
        name_pseudonym,
        email_pseudonym,
        phone_pseudonym,
        program_name_ja,
        program_code,
        {{ dbt.safe_cast(normalise_digits('fiscal_year'), dbt.type_int()) }} as fiscal_year,
        fiscal_year as fiscal_year_text,
        cohort_code,
        project_id,
        employment_status_ja,
        source_file,
        source_file_sha256,
        sheet_name,
        row_number as source_row_number,
        batch_id,
        {{ parse_utc_timestamp('landed_at') }} as landed_at

    from source

)

select * from renamed
