{#- Unnests the staged responses (not the landing files again) so every answer belongs to a
    panel row of the same build, even when a delivery lands meanwhile. -#}
{#- The staged responses are read right where they are unnested, not through an import CTE:
    DuckDB turns a lateral unnest over a CTE into a join on the whole JSON payload, which made
    this model 3-4x slower at 1000x the demo (issue 19 benchmark); over the table itself it
    unnests in place. -#}
with

answers as (

    select
        responses.record_key as response_record_key,
        responses.wave_code,
        responses.sample_pseudonym,
        responses.answered_at,
        answer_entry.key as question_id,
        {{ json_scalar_text('answer_entry.value') }} as answer_text

    from {{ ref('stg_panel_file__responses') }} as responses
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
