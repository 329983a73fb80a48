{#- Unnests the staged responses (not the landing files again) so every answer belongs to a
    panel row of the same build, even when a delivery lands meanwhile. -#}
with

responses as (

    select * from {{ ref('stg_panel_file__responses') }}

),

answers as (

    select
        responses.record_key as response_record_key,
        responses.wave_code,
        responses.sample_pseudonym,
        responses.answered_at,
        answer_entry.key as question_id,
        {{ json_scalar_text('answer_entry.value') }} as answer_text

    from responses
    {{ json_entries_join('responses.answers', 'answer_entry') }}

),

final as (

    select
        {{ dbt.concat(['response_record_key', "'|'", 'question_id']) }} as answer_key,
        response_record_key,
        wave_code,
        sample_pseudonym,
        answered_at,
        question_id,
        answer_text

    from answers

)

select * from final
