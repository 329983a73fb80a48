{#- One row per landed panel row, with which row counts (METRICS.md "Which answers count"):
    per wave and sample, rows with the same 回答日時 but different answers are conflicting
    and excluded (both); of the others, the latest 回答日時 wins, whatever the row order or
    delivery, and earlier rows are superseded. Landing keeps every distinct row. -#}
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
        {#- answered_at_local is 回答日時 as landing parsed it (every vendor format, Japan
            time); rows landed before it existed fall back to reading the text. -#}
        coalesce(
            {{ dbt.safe_cast('answered_at_local', api.Column.translate_type('timestamp')) }},
            {{ dbt.safe_cast(
                "replace(" ~ normalise_digits('answered_at') ~ ", '/', '-')",
                api.Column.translate_type('timestamp')
            ) }}
        ) as answered_at,
        answered_at as answered_at_text,
        source_file,
        source_file_sha256,
        source_encoding,
        row_number as source_row_number,
        batch_id,
        {{ parse_utc_timestamp('landed_at') }} as landed_at,
        answers,
        {#- Landing writes the map with sorted keys, so equal answers give equal text. -#}
        cast(answers as {{ dbt.type_string() }}) as answers_text

    from source

),

conflicts_marked as (

    select
        renamed.*,
        min(answers_text) over same_answer_time
            <> max(answers_text) over same_answer_time as is_conflicting

    from renamed

    window same_answer_time as (partition by wave_code, sample_pseudonym, answered_at)

),

ranked as (

    select
        conflicts_marked.*,
        row_number() over (
            partition by wave_code, sample_pseudonym, is_conflicting
            order by answered_at desc nulls last, record_key desc
        ) as answer_rank

    from conflicts_marked

),

final as (

    select
        record_key,
        wave_code,
        sample_pseudonym,
        respondent_age,
        respondent_age_text,
        region,
        employment_type,
        answered_at,
        answered_at_text,
        case
            when is_conflicting then 'conflicting'
            when answer_rank = 1 then 'latest'
            else 'superseded'
        end as row_status,
        not is_conflicting and answer_rank = 1 as is_latest,
        source_file,
        source_file_sha256,
        source_encoding,
        source_row_number,
        batch_id,
        landed_at

    {# The answers map stays in landing: stg_panel_file__answers reads it there for the
        rows staged here. Written into the warehouse and read back, 1 GB of JSON at 1000x
        the demo cost more than reading landing twice (issue 19). #}
    from ranked

)

select * from final
