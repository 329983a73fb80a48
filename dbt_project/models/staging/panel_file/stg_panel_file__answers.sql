{#- Unnests the landed answers of the rows stg_panel_file__responses staged (joined on
    record_key, which landing derives from the row's answers), so every answer belongs to a
    panel row of the same build, even when a delivery lands meanwhile. The staged rows do not
    carry the JSON: writing it into the warehouse and reading it back cost more than reading
    landing again (issue 19: panel staging 13.0 -> 8.9 s at 1000x the demo). -#}
{#- The rows are joined right where they are unnested, not through an import CTE: DuckDB
    turns a lateral unnest over a CTE into a join on the whole JSON payload, which made this
    model 3-4x slower at 1000x the demo (issue 19 benchmark). -#}
with

answers as (

    select
        responses.record_key as response_record_key,
        responses.wave_code,
        responses.sample_pseudonym,
        responses.answered_at,
        answer_entry.key as question_id,
        {{ json_scalar_text('answer_entry.value') }} as answer_text

    from (
        select
            staged.record_key,
            staged.wave_code,
            staged.sample_pseudonym,
            staged.answered_at,
            landed.answers

        from {{ ref('stg_panel_file__responses') }} as staged
        inner join {{ read_landing_source('panel_file', 'responses') }} as landed
            on staged.record_key = landed.record_key
    ) as responses
    {{ json_entries_join('responses.answers', 'answer_entry') }}

),

final as (

    {#- Keyed by (response_record_key, question_id), with no concatenated key column: at
        1000x the demo, writing a 130-character key per answer doubled this model's time
        (issue 19). -#}
    select
        response_record_key,
        wave_code,
        sample_pseudonym,
        answered_at,
        question_id,
        answer_text

    from answers

)

select * from final
