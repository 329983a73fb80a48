with

forms_answers as (

    select * from {{ ref('stg_google_forms__answers') }}

),

forms_question_map as (

    select * from {{ ref('stg_google_forms__question_map') }}

),

panel_answers as (

    select * from {{ ref('stg_panel_file__answers') }}

),

panel_question_map as (

    select * from {{ ref('stg_panel_file__question_map') }}

),

waves as (

    select * from {{ ref('waves') }}

),

question_overrides as (

    select * from {{ ref('question_overrides') }}

),

items as (

    select * from {{ ref('items') }}

),

scales as (

    select * from {{ ref('scales') }}

),

scale_labels as (

    select * from {{ ref('scale_labels') }}

),

{#- A form lands its question map once per revision; answers carry no revision, so each
    question takes its mapping from the latest revision that has it. -#}
forms_question_revisions_ranked as (

    select
        form_id,
        question_id,
        item_code,
        match_method,
        row_number() over (
            partition by form_id, question_id
            order by landed_at desc, record_key desc
        ) as revision_rank

    from forms_question_map

),

forms_current_question_map as (

    select * from forms_question_revisions_ranked where revision_rank = 1

),

panel_headers_ranked as (

    select
        wave_code,
        question_id,
        item_code,
        match_method,
        row_number() over (
            partition by wave_code, question_id
            order by landed_at desc, record_key desc
        ) as revision_rank

    from panel_question_map

),

panel_current_question_map as (

    select * from panel_headers_ranked where revision_rank = 1

),

{#- question_overrides.csv is applied here too, so a new override takes effect on the next
    build without re-landing (ARCHITECTURE.md: the logic model is data). -#}
forms_mapped_answers as (

    select
        'google_forms' as source_system,
        forms_answers.response_record_key,
        forms_answers.wave_code,
        forms_answers.response_id,
        forms_answers.respondent_pseudonym,
        forms_answers.last_submitted_at as submitted_at,
        forms_answers.question_id,
        forms_answers.value_position,
        forms_answers.answer_text,
        coalesce(question_overrides.item_code, forms_current_question_map.item_code) as item_code,
        case
            when question_overrides.item_code is not null then 'override'
            else coalesce(forms_current_question_map.match_method, 'unmatched')
        end as match_method

    from forms_answers

    left join forms_current_question_map
        on forms_answers.form_id = forms_current_question_map.form_id
        and forms_answers.question_id = forms_current_question_map.question_id

    left join question_overrides
        on forms_answers.form_id = question_overrides.source_ref
        and forms_answers.question_id = question_overrides.question_id

),

panel_mapped_answers as (

    select
        'panel_file' as source_system,
        panel_answers.response_record_key,
        panel_answers.wave_code,
        panel_answers.sample_pseudonym as response_id,
        panel_answers.sample_pseudonym as respondent_pseudonym,
        panel_answers.answered_at as submitted_at,
        panel_answers.question_id,
        1 as value_position,
        panel_answers.answer_text,
        coalesce(question_overrides.item_code, panel_current_question_map.item_code) as item_code,
        case
            when question_overrides.item_code is not null then 'override'
            else coalesce(panel_current_question_map.match_method, 'unmatched')
        end as match_method

    from panel_answers

    left join panel_current_question_map
        on panel_answers.wave_code = panel_current_question_map.wave_code
        and panel_answers.question_id = panel_current_question_map.question_id

    left join waves
        on panel_answers.wave_code = waves.wave_code

    left join question_overrides
        on waves.source_ref = question_overrides.source_ref
        and panel_answers.question_id = question_overrides.question_id

),

mapped_answers as (

    select * from forms_mapped_answers
    union all
    select * from panel_mapped_answers

),

{#- Unmatched questions stay in staging (and in the run summary); only catalog items go on.
    An item answered through several values or questions becomes one answer whose text
    joins them, so a scale item with two values cannot be read as one number. Almost every
    item has one value: only the others go through the ordered listagg, which cost more
    than everything else in this model at scale (issue 7 benchmark). They are found by
    counting per answer key, not by a window over the answers: the window sorted every
    answer's whole row, 17 of this model's 48 seconds at 1000x the demo (issue 19). The two
    filters below are mirror images (not exists / exists): a left join carrying the count
    into one filtered CTE was 2 s slower on the same 12.3 million answers. -#}
mapped_item_answers as (

    select * from mapped_answers where item_code is not null

),

several_valued_items as (

    select
        source_system,
        response_record_key,
        item_code

    from mapped_item_answers
    group by source_system, response_record_key, item_code
    having count(*) > 1

),

single_value_answers as (

    select
        source_system,
        response_record_key,
        wave_code,
        response_id,
        respondent_pseudonym,
        submitted_at,
        item_code,
        question_id,
        match_method,
        1 as value_count,
        answer_text

    from mapped_item_answers
    where not exists (
        select 1 from several_valued_items
        where several_valued_items.source_system = mapped_item_answers.source_system
            and several_valued_items.response_record_key = mapped_item_answers.response_record_key
            and several_valued_items.item_code = mapped_item_answers.item_code
    )

),

several_value_answers as (

    select
        source_system,
        response_record_key,
        wave_code,
        response_id,
        respondent_pseudonym,
        submitted_at,
        item_code,
        min(question_id) as question_id,
        min(match_method) as match_method,
        count(*) as value_count,
        {{ dbt.listagg('answer_text', "' | '", 'order by question_id, value_position') }} as answer_text

    from mapped_item_answers
    where exists (
        select 1 from several_valued_items
        where several_valued_items.source_system = mapped_item_answers.source_system
            and several_valued_items.response_record_key = mapped_item_answers.response_record_key
            and several_valued_items.item_code = mapped_item_answers.item_code
    )
    group by 1, 2, 3, 4, 5, 6, 7

),

item_answers as (

    select * from single_value_answers
    union all
    select * from several_value_answers

),

scales_with_reading as (

    select
        scales.scale_code,
        scales.value_type,
        scales.min_value,
        scales.max_value,
        scales.step,
        case
            when scales.value_type in ('text', 'label') then 'text'
            when exists (
                select 1 from scale_labels
                where scale_labels.scale_code = scales.scale_code
            ) then 'label'
            else 'number'
        end as reading_rule

    from scales

),

{#- Normalised once: computed inline it ran three times per answer (select, cast, join). -#}
item_answers_normalised as (

    select
        item_answers.*,
        {{ normalise_digits('item_answers.answer_text') }} as answer_text_normalised

    from item_answers

),

answers_read as (

    select
        item_answers_normalised.*,
        items.scale_code,
        items.is_personal_data,
        scales_with_reading.reading_rule,
        scales_with_reading.min_value,
        scales_with_reading.max_value,
        scales_with_reading.step,
        {{ dbt.safe_cast(
            'item_answers_normalised.answer_text_normalised', type_double()
        ) }} as parsed_number,
        scale_labels.value_code as label_value_code

    from item_answers_normalised

    left join items
        on item_answers_normalised.item_code = items.item_code

    left join scales_with_reading
        on items.scale_code = scales_with_reading.scale_code

    left join scale_labels
        on items.scale_code = scale_labels.scale_code
        and item_answers_normalised.answer_text_normalised
        = {{ normalise_digits('scale_labels.label_ja') }}

),

{#- Mirrors impact_warehouse.catalog.answers.check_answer, which quarantines at landing:
    METRICS.md, an answer outside its scale is not coerced, it is flagged. NaN and infinity
    fail "abs(x) < 1e300", so they are unparseable as in Python's Decimal check. -#}
answers_checked as (

    select
        answers_read.*,
        case
            when reading_rule = 'label' and label_value_code is null then 'unknown_label'
            when reading_rule <> 'number' then null
            when parsed_number is null or not abs(parsed_number) < 1e300
                then 'unparseable_value'
            when parsed_number < min_value or parsed_number > max_value then 'out_of_scale'
            when step is not null
                and abs(parsed_number / step - round(parsed_number / step)) > 1e-9
                then 'out_of_scale'
        end as invalid_reason

    from answers_read

),

final as (

    {#- Keyed by (source_system, response_record_key, item_code), with no concatenated key
        column: a 105-character text per answer cost more to write than the rest of the row
        (issue 19, 1000x). fct_answers builds answer_key for the answers it publishes, and a
        quarantine record_ref is response_id || '|' || question_id. -#}
    select
        source_system,
        response_record_key,
        wave_code,
        response_id,
        respondent_pseudonym,
        submitted_at,
        item_code,
        scale_code,
        is_personal_data,
        question_id,
        match_method,
        value_count,
        answer_text,
        answer_text_normalised,
        case
            when invalid_reason is not null then null
            when reading_rule = 'label' then cast(label_value_code as {{ type_double() }})
            when reading_rule = 'number' then parsed_number
        end as value_numeric,
        case when reading_rule = 'text' then answer_text_normalised end as value_text,
        invalid_reason is null as is_valid,
        invalid_reason

    from answers_checked

)

select * from final
