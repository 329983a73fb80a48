-- Question: Where does a published share come from? Recount the report's first share after
--           the program (the primary measure, scale_measures.csv, of the first item asked at
--           post; Mamabono: career confidence ≥6) from the individual answers and set it beside
--           the published figure. (Change the `figure` step to trace another one.)
-- Grain:    one row per program of the latest fiscal year with figures, plus 'all' (last).
-- Columns:
--   item_code           the traced item
--   measure             the traced measure (scale_measures.csv measure_code)
--   program_code        program, or 'all'
--   counted_answers     answers that count (METRICS.md: latest submission of a targeted,
--                       linked participant; a valid answer on the item's scale)
--   answers_meeting     of those, answers meeting the measure (value <operator> threshold)
--   recounted_share     answers_meeting ÷ counted_answers
--   published_share     the same figure as the report prints it (reporting.rpt_outcome_results)
--   published_numerator and its numerator there
--   indicator_result_key the row of marts.fct_indicator_results that computed it (one hop)
with release as (
    -- The latest fiscal year, up to the release's own, with figures in this table: a
    -- release made in May carries the new year before any of its surveys has run.
    select max(fiscal_year) as fiscal_year
    from reporting.rpt_outcome_results
    where fiscal_year <= (select fiscal_year from meta.releases where is_current) and wave_type = 'post'
),

figure as (
    select
        items.item_code,
        'post' as wave_type,
        measures.measure_code,
        measures.operator,
        measures.threshold
    from catalog.items as items
    inner join catalog.scale_measures as measures
        on measures.scale_code = items.scale_code and measures.is_primary
    where list_contains(string_split(items.asked_in, '|'), 'post')
    order by items.display_order
    limit 1
),

answers as (
    select answers.program_code, answers.value_numeric
    from marts.fct_answers as answers
    inner join figure
        on answers.item_code = figure.item_code and answers.wave_type = figure.wave_type
    where answers.fiscal_year = (select fiscal_year from release) and answers.is_counted
),

recounted as (
    select
        coalesce(program_code, 'all') as program_code,
        count(*) as counted_answers,
        count(*) filter (
            where case (select operator from figure)
                when '>=' then value_numeric >= (select threshold from figure)
                when '<=' then value_numeric <= (select threshold from figure)
                when '=' then value_numeric = (select threshold from figure)
            end
        ) as answers_meeting
    from answers
    group by rollup (program_code)
),

published as (
    select results.program_code, results.value, results.numerator, results.indicator_result_key
    from reporting.rpt_outcome_results as results
    inner join figure
        on results.item_code = figure.item_code
        and results.wave_type = figure.wave_type
        and results.measure = figure.measure_code
    where
        results.fiscal_year = (select fiscal_year from release)
        and results.population = 'respondents'
)

select
    (select item_code from figure) as item_code,
    (select measure_code from figure) as measure,
    recounted.program_code,
    recounted.counted_answers,
    recounted.answers_meeting,
    recounted.answers_meeting / recounted.counted_answers as recounted_share,
    published.value as published_share,
    published.numerator as published_numerator,
    published.indicator_result_key
from recounted
left join published using (program_code)
order by recounted.program_code = 'all', recounted.program_code;
