with

source as (

    select * from {{ read_landing_source('operations', 'support_measures') }}

),

renamed as (

    select
        record_key,
        {{ dbt.safe_cast(
            "replace(" ~ normalise_digits('held_on') ~ ", '/', '-')",
            api.Column.translate_type('date')
        ) }} as held_on,
        held_on as held_on_text,
        {{ dbt.safe_cast(normalise_digits('fiscal_year'), dbt.type_int()) }} as fiscal_year,
        fiscal_year as fiscal_year_text,
        support_measure_type_ja,
        program_name_ja,
        program_code,
        title as support_measure_title,
        {{ dbt.safe_cast(normalise_digits('attendees'), dbt.type_int()) }} as attendees,
        attendees as attendees_text,
        source_file,
        source_file_sha256,
        sheet_name,
        row_number as source_row_number,
        batch_id,
        {{ parse_utc_timestamp('landed_at') }} as landed_at

    from source

)

select * from renamed
