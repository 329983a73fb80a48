-- Question: Where does a published share come from? Recount "career confidence ≥6 after the
--           program" from the individual answers and set it beside the published figure.
--           (Change the item, wave type and threshold to trace another figure.)
-- Grain:    one row per program of the release's fiscal year, plus 'all' (last).
-- Columns:
--   program_code        program, or 'all'
--   counted_answers     answers that count (METRICS.md: latest submission of a targeted,
--                       linked participant; a valid answer on the item's scale)
--   answers_6_or_more   of those, answers of 6 or more
--   recounted_share     answers_6_or_more ÷ counted_answers
--   published_share     the same figure as the report prints it (reporting.rpt_outcome_results)
--   published_numerator and its numerator there
--   indicator_result_key the row of marts.fct_indicator_results that computed it (one hop)
with release as (
    select fiscal_year from meta.releases where is_current
),

answers as (
    select program_code, value_numeric
    from marts.fct_answers
    where
        fiscal_year = (select fiscal_year from release)
        and wave_type = 'post'
        and item_code = 'career_confidence'
        and is_counted
),

recounted as (
    select
        coalesce(program_code, 'all') as program_code,
        count(*) as counted_answers,
        count(*) filter (where value_numeric >= 6) as answers_6_or_more
    from answers
    group by rollup (program_code)
),

published as (
    select program_code, value, numerator, indicator_result_key
    from reporting.rpt_outcome_results
    where
        fiscal_year = (select fiscal_year from release)
        and population = 'respondents'
        and wave_type = 'post'
        and item_code = 'career_confidence'
        and measure = 'confident'
)

select
    recounted.program_code,
    recounted.counted_answers,
    recounted.answers_6_or_more,
    recounted.answers_6_or_more / recounted.counted_answers as recounted_share,
    published.value as published_share,
    published.numerator as published_numerator,
    published.indicator_result_key
from recounted
left join published using (program_code)
order by recounted.program_code = 'all', recounted.program_code;
