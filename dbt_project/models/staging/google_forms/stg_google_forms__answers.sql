{#- Unnests the landed answers of the response versions stg_google_forms__responses staged
    (joined on record_key), so every answer belongs to a response version of the same build,
    even when a pull lands new parts meanwhile. The staged versions do not carry the JSON:
    writing it into the warehouse and reading it back cost more than reading landing again
    (issue 19, 1000x the demo). -#}
{#- The rows are joined right where they are unnested, not through an import CTE: DuckDB
    turns a lateral unnest over a CTE into a join on the whole JSON payload, which made this
    model 3-4x slower at 1000x the demo (issue 19 benchmark). -#}
with

answered_questions as (

    select
        responses.record_key as response_record_key,
        responses.form_id,
        responses.wave_code,
        responses.response_id,
        responses.respondent_pseudonym,
        responses.last_submitted_at,
        question_entry.key as question_id,
        question_entry.value as question_answer

    from (
        select
            staged.record_key,
            staged.form_id,
            staged.wave_code,
            staged.response_id,
            staged.respondent_pseudonym,
            staged.last_submitted_at,
            landed.payload

        from {{ ref('stg_google_forms__responses') }} as staged
        inner join {{ read_landing_source('google_forms', 'responses') }} as landed
            on staged.record_key = landed.record_key
    ) as responses
    {{ json_entries_join('responses.payload', 'question_entry', path_keys=['answers']) }}

),

answer_values as (

    select
        answered_questions.*,
        {{ dbt.safe_cast('value_entry.key', dbt.type_int()) }} + 1 as value_position,
        {{ json_extract_text('value_entry.value', ['value']) }} as answer_text

    from answered_questions
    {{ json_entries_join(
        'answered_questions.question_answer',
        'value_entry',
        path_keys=['textAnswers', 'answers'],
        outer=true
    ) }}

),

final as (

    {#- Keyed by (response_record_key, question_id, value_position), with no concatenated
        key column: writing a 110-character key per answer cost a third of this model's time
        at 1000x the demo (issue 19). -#}
    select
        response_record_key,
        form_id,
        wave_code,
        response_id,
        respondent_pseudonym,
        last_submitted_at,
        question_id,
        coalesce(value_position, 0) as value_position,
        answer_text

    from answer_values

)

select * from final
