-- Question: Before and after the program, how confident were participants about a career of
--           their own (score ≥6) and how anxious about returning to work (score ≤5, ≤3)?
--           And for those who answered both times, did it change? (report: ⑥⑦, 51.1% → 75.6%)
-- Grain:    one row per item asked before and after × population × wave × measure of the
--           release's fiscal year, all programs together. Population respondents: per-wave,
--           unpaired (each over its own wave's answers, as printed in the report); paired:
--           participants who answered both waves; paired_<measure>_at_pre: a paired group.
-- Columns:
--   item_code    career_confidence (score10) or return_anxiety (anxiety10, 1 = most anxious)
--   population   respondents, paired or paired_<measure>_at_pre
--   wave_type    pre or post
--   measure      confident (≥6), high (≥8), anxious (≤5), strongly_anxious (≤3)
--                (scale_measures.csv), mean, mean_shift (paired, post row)
--   measure_label_ja  the measure named for what it counts
--   numerator    answers meeting the measure (null for the score shift)
--   denominator  valid answers (or pairs)
--   value        the share (or the mean paired change in points)
--   ci_lower     95% interval, lower bound (Wilson for shares)
--   ci_upper     95% interval, upper bound
--   p_value      exact McNemar (paired primary share) or Wilcoxon signed-rank, Pratt (shift)
--   test_name    the test behind p_value
with release as (
    -- The latest fiscal year, up to the release's own, with figures in this table: a
    -- release made in May carries the new year before any of its surveys has run.
    select max(fiscal_year) as fiscal_year
    from reporting.rpt_outcome_results
    where fiscal_year <= (select fiscal_year from meta.releases where is_current) and wave_type = 'post'
)

select
    item_code,
    population,
    wave_type,
    measure,
    measure_label_ja,
    numerator,
    denominator,
    value,
    ci_lower,
    ci_upper,
    p_value,
    test_name
from reporting.rpt_outcome_results
where
    fiscal_year = (select fiscal_year from release)
    and program_code = 'all'
    and item_code in (select item_code from reporting.rpt_pre_post_confidence)
    and wave_type in ('pre', 'post')
    and measure_kind in ('share', 'mean', 'shift')
    and not is_suppressed
order by item_code, population, measure_display_order, wave_type desc;
