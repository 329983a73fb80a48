with

source as (

    select * from {{ read_landing_source('panel_file', 'responses') }}

),

renamed as (

    select
        record_key,
        wave_code,
        sample_pseudonym,
        {{ dbt.safe_cast(normalise_digits('age'), dbt.type_int()) }} as respondent_age,
        age as respondent_age_text,
        region,
        employment_type,
        {{ dbt.safe_cast(
            "replace(" ~ normalise_digits('answered_at') ~ ", '/', '-')",
            api.Column.translate_type('timestamp')
        ) }} as answered_at,
        answered_at as answered_at_text,
        source_file,
        source_file_sha256,
        source_encoding,
        row_number as source_row_number,
        batch_id,
        {{ parse_utc_timestamp('landed_at') }} as landed_at,
        answers

    from source

)

select * from renamed
