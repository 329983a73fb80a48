-- Baseline for the scale benchmark: the unpaired indicator results of fct_indicator_results,
-- computed by one hand-written DuckDB script straight from the landed files and the seeds.
--
-- Covers, with the warehouse's rules (METRICS.md "Which answers count"):
--   * answers of Google Forms responses and comparison-panel rows, mapped to catalog items by
--     the latest landed question map (question_overrides.csv first), several values of one
--     item joined with ' | ';
--   * reading against the scale: full-width digits normalised, labels looked up, numbers
--     parsed, range and step checked (invalid answers are excluded from that item only);
--   * latest submission per respondent and wave; linked = the respondent is targeted by the
--     wave (comparison rows are their own population); a response counts only if it answered
--     at least one non-personal catalog item;
--   * one row per fiscal year × program (each program, plus "all") × wave type × item ×
--     measure for the share measures of scale_measures.csv (agree, yes, confident, high,
--     anxious, strongly_anxious: numerator, denominator, value, Wilson 95% interval) and the
--     hours mean (denominator, value).
-- Leaves out (the warehouse computes them in its Python model): the t interval of means,
-- paired pre/post measures (McNemar, Wilcoxon), the comparison difference (Newcombe, Fisher),
-- response rates and suppression flags.
--
-- ${LANDING} and ${SEEDS} are replaced by the landing folder and dbt_project/seeds.

create or replace temp table seed_waves as
select wave_code, cast(fiscal_year as integer) as fiscal_year, wave_type, source_ref
from read_csv('${SEEDS}/waves.csv', header = true, all_varchar = true);

create or replace temp table seed_items as
select item_code, scale_code, lower(is_personal_data) = 'true' as is_personal_data
from read_csv('${SEEDS}/items.csv', header = true, all_varchar = true);

create or replace temp table seed_scales as
select
    scale_code,
    value_type,
    try_cast(min_value as double) as min_value,
    try_cast(max_value as double) as max_value,
    try_cast(step as double) as step
from read_csv('${SEEDS}/scales.csv', header = true, all_varchar = true);

create or replace temp table seed_scale_labels as
select scale_code, label_ja, cast(value_code as double) as value_code
from read_csv('${SEEDS}/scale_labels.csv', header = true, all_varchar = true);

create or replace temp table seed_overrides as
select source_ref, question_id, item_code
from read_csv(
    '${SEEDS}/question_overrides.csv',
    header = true,
    all_varchar = true,
    columns = {'source_ref': 'varchar', 'question_id': 'varchar', 'item_code': 'varchar',
               'reason': 'varchar'}
);

-- Participants targeted by each wave, attributed to their latest cohort.
create or replace temp table wave_targets as
with roster as (
    select distinct cohort_code, participant_pseudonym
    from read_json(
        '${LANDING}/operations/roster/part-*.jsonl',
        format = 'newline_delimited',
        columns = {'cohort_code': 'varchar', 'participant_pseudonym': 'varchar'}
    )
    where participant_pseudonym is not null
),
memberships as (
    select
        targets.wave_code,
        roster.participant_pseudonym,
        cohorts.program_code,
        row_number() over (
            partition by targets.wave_code, roster.participant_pseudonym
            order by cast(cohorts.fiscal_year as integer) desc, cohorts.cohort_code desc
        ) as attribution_rank
    from read_csv('${SEEDS}/wave_targets.csv', header = true, all_varchar = true) as targets
    inner join roster on targets.cohort_code = roster.cohort_code
    inner join read_csv('${SEEDS}/cohorts.csv', header = true, all_varchar = true) as cohorts
        on targets.cohort_code = cohorts.cohort_code
)
select wave_code, participant_pseudonym, program_code
from memberships
where attribution_rank = 1;

create or replace temp table responses as
select
    'google_forms' as source_system,
    record_key,
    wave_code,
    form_id,
    coalesce(respondent_pseudonym, 'no-email|' || response_id) as respondent_key,
    respondent_pseudonym,
    timezone('UTC', try_cast(last_submitted_time as timestamptz)) as submitted_at,
    response_id as tie_breaker,
    payload -> '$.answers' as answers
from read_json(
    '${LANDING}/google_forms/responses/*/part-*.jsonl',
    format = 'newline_delimited',
    columns = {'record_key': 'varchar', 'form_id': 'varchar', 'wave_code': 'varchar',
               'response_id': 'varchar', 'respondent_pseudonym': 'varchar',
               'last_submitted_time': 'varchar', 'payload': 'json'}
)
union all
select
    'panel_file',
    record_key,
    wave_code,
    null,
    sample_pseudonym,
    sample_pseudonym,
    timezone('UTC', try_cast(landed_at as timestamptz)),
    record_key,
    answers
from read_json(
    '${LANDING}/panel_file/responses/*/part-*.jsonl',
    format = 'newline_delimited',
    columns = {'record_key': 'varchar', 'wave_code': 'varchar', 'sample_pseudonym': 'varchar',
               'landed_at': 'varchar', 'answers': 'json'}
);

create or replace temp table question_map as
with forms_map as (
    select form_id as scope, question_id, item_code, landed_at, record_key
    from read_json(
        '${LANDING}/google_forms/question_map/*/part-*.jsonl',
        format = 'newline_delimited',
        columns = {'record_key': 'varchar', 'form_id': 'varchar', 'question_id': 'varchar',
                   'item_code': 'varchar', 'landed_at': 'varchar'}
    )
),
panel_map as (
    select wave_code as scope, question_id, item_code, landed_at, record_key
    from read_json(
        '${LANDING}/panel_file/question_map/*/part-*.jsonl',
        format = 'newline_delimited',
        columns = {'record_key': 'varchar', 'wave_code': 'varchar', 'question_id': 'varchar',
                   'item_code': 'varchar', 'landed_at': 'varchar'}
    )
),
all_maps as (
    select 'google_forms' as source_system, * from forms_map
    union all
    select 'panel_file', * from panel_map
)
select source_system, scope, question_id, item_code
from all_maps
qualify row_number() over (
    partition by source_system, scope, question_id
    order by timezone('UTC', try_cast(landed_at as timestamptz)) desc, record_key desc
) = 1;

-- One row per landed answer value (forms: every value of textAnswers; panel: every column).
create or replace temp table answer_values as
with forms_questions as (
    select responses.record_key, responses.wave_code, responses.form_id, entry.key as question_id,
        entry.value as question_answer
    from responses, json_each(responses.answers) as entry
    where responses.source_system = 'google_forms'
)
select
    'google_forms' as source_system,
    forms_questions.record_key,
    forms_questions.wave_code,
    forms_questions.form_id as scope,
    forms_questions.question_id,
    coalesce(cast(value_entry.key as integer) + 1, 0) as value_position,
    value_entry.value ->> '$.value' as answer_text
from forms_questions
left join json_each(forms_questions.question_answer, '$.textAnswers.answers') as value_entry
    on true
union all
select
    'panel_file',
    responses.record_key,
    responses.wave_code,
    responses.wave_code,
    entry.key,
    1,
    entry.value ->> '$'
from responses, json_each(responses.answers) as entry
where responses.source_system = 'panel_file';

create or replace temp table item_answers as
with mapped as (
    select
        answer_values.*,
        coalesce(seed_overrides.item_code, question_map.item_code) as item_code
    from answer_values
    left join question_map
        on answer_values.source_system = question_map.source_system
        and answer_values.scope = question_map.scope
        and answer_values.question_id = question_map.question_id
    left join seed_waves on answer_values.wave_code = seed_waves.wave_code
    left join seed_overrides
        on seed_overrides.source_ref = case
            when answer_values.source_system = 'google_forms' then answer_values.scope
            else seed_waves.source_ref
        end
        and answer_values.question_id = seed_overrides.question_id
)
select
    record_key,
    item_code,
    string_agg(answer_text, ' | ' order by question_id, value_position) as answer_text
from mapped
where item_code is not null
group by record_key, item_code;

create or replace temp table answers_read as
with read as (
    select
        item_answers.record_key,
        item_answers.item_code,
        seed_items.scale_code,
        seed_items.is_personal_data,
        case
            when seed_scales.value_type in ('text', 'label') then 'text'
            when seed_scales.scale_code in (select scale_code from seed_scale_labels) then 'label'
            else 'number'
        end as reading_rule,
        seed_scales.min_value,
        seed_scales.max_value,
        seed_scales.step,
        trim(translate(
            item_answers.answer_text,
            '０１２３４５６７８９．－＋，　' || chr(9) || chr(10) || chr(13),
            '0123456789.-+, ' || '   '
        )) as normalised
    from item_answers
    left join seed_items on item_answers.item_code = seed_items.item_code
    left join seed_scales on seed_items.scale_code = seed_scales.scale_code
),
parsed as (
    select
        read.*,
        try_cast(read.normalised as double) as parsed_number,
        seed_scale_labels.value_code as label_value_code
    from read
    left join seed_scale_labels
        on read.scale_code = seed_scale_labels.scale_code
        and read.normalised = seed_scale_labels.label_ja
),
checked as (
    select
        parsed.*,
        case
            when reading_rule = 'label' and label_value_code is null then false
            when reading_rule <> 'number' then true
            when parsed_number is null or not abs(parsed_number) < 1e300 then false
            when parsed_number < min_value or parsed_number > max_value then false
            when step is not null
                and abs(parsed_number / step - round(parsed_number / step)) > 1e-9 then false
            else true
        end as is_valid
    from parsed
)
select
    record_key,
    item_code,
    scale_code,
    is_personal_data,
    is_valid,
    case
        when not is_valid then null
        when reading_rule = 'label' then label_value_code
        when reading_rule = 'number' then parsed_number
    end as value_numeric
from checked;

-- Latest submission per respondent and wave, linked to a targeted participant, answering
-- at least one non-personal catalog item.
create or replace temp table counted_responses as
with latest as (
    select *
    from responses
    qualify row_number() over (
        partition by wave_code, respondent_key order by submitted_at desc, tie_breaker desc
    ) = 1
),
answered as (
    select record_key
    from answers_read
    where not is_personal_data
    group by record_key
)
select
    latest.record_key,
    seed_waves.fiscal_year,
    seed_waves.wave_type,
    wave_targets.program_code
from latest
inner join seed_waves on latest.wave_code = seed_waves.wave_code
inner join answered on latest.record_key = answered.record_key
left join wave_targets
    on latest.wave_code = wave_targets.wave_code
    and latest.respondent_pseudonym = wave_targets.participant_pseudonym
    and seed_waves.wave_type <> 'comparison'
where seed_waves.wave_type = 'comparison' or wave_targets.participant_pseudonym is not null;

create or replace temp table counted_values as
select
    counted_responses.fiscal_year,
    counted_responses.program_code,
    counted_responses.wave_type,
    answers_read.item_code,
    answers_read.scale_code,
    answers_read.value_numeric
from answers_read
inner join counted_responses on answers_read.record_key = counted_responses.record_key
where answers_read.is_valid
    and not answers_read.is_personal_data
    and answers_read.value_numeric is not null
    and answers_read.scale_code in ('likert4', 'yesno', 'score10', 'anxiety10', 'hours');

-- Each program's rows plus every row again under "all" (comparison rows have no program).
create or replace temp table pooled_values as
select * from counted_values where program_code is not null
union all
select fiscal_year, 'all', wave_type, item_code, scale_code, value_numeric from counted_values;

create or replace table baseline_indicator_results as
with hits as (
    select
        pooled_values.*,
        rules.measure,
        case rules.measure
            when 'agree' then value_numeric >= 3
            when 'yes' then value_numeric = 1
            when 'confident' then value_numeric >= 6
            when 'high' then value_numeric >= 8
            when 'anxious' then value_numeric <= 5
            when 'strongly_anxious' then value_numeric <= 3
        end as hit
    from pooled_values
    inner join (
        values
            ('likert4', 'agree'),
            ('yesno', 'yes'),
            ('score10', 'confident'),
            ('score10', 'high'),
            ('anxiety10', 'anxious'),
            ('anxiety10', 'strongly_anxious')
    ) as rules (rule_scale_code, measure)
        on pooled_values.scale_code = rules.rule_scale_code
),
shares as (
    select
        fiscal_year, program_code, wave_type, item_code, scale_code, measure,
        count(*) filter (where hit) as numerator,
        count(*) as denominator
    from hits
    group by all
),
wilson as (
    select
        shares.*,
        numerator / denominator as value,
        1.959963984540054 as z
    from shares
),
means as (
    select
        fiscal_year, program_code, wave_type, item_code, scale_code,
        'mean' as measure,
        cast(null as bigint) as numerator,
        count(*) as denominator,
        avg(value_numeric) as value,
        cast(null as double) as ci_lower,
        cast(null as double) as ci_upper
    from pooled_values
    where scale_code = 'hours'
    group by all
)
select
    fiscal_year, program_code, wave_type, item_code, scale_code, measure,
    numerator, denominator, value,
    (value + z * z / (2 * denominator)) / (1 + z * z / denominator)
        - z / (1 + z * z / denominator)
        * sqrt(value * (1 - value) / denominator + z * z / (4 * denominator * denominator))
        as ci_lower,
    (value + z * z / (2 * denominator)) / (1 + z * z / denominator)
        + z / (1 + z * z / denominator)
        * sqrt(value * (1 - value) / denominator + z * z / (4 * denominator * denominator))
        as ci_upper
from wilson
union all
select * from means;
