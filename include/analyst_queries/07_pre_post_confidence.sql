-- Question: Before and after the program, how confident were participants about a career of
--           their own (score ≥6) and how anxious about returning to work (score ≤5, ≤3)?
--           And for those who answered both times, did it change? (report: ⑥⑦, 51.1% → 75.6%)
-- Grain:    one row per score item × wave × measure of the release's fiscal year, all
--           programs together. Per-wave shares are unpaired (each over its own wave's answers,
--           as printed in the report); paired_* rows use participants who answered both waves.
-- Columns:
--   item_code    career_confidence (score10) or return_anxiety (anxiety10, 1 = most anxious)
--   wave_type    pre or post
--   measure      share_positive (≥6), share_high (≥8), share_anxious (≤5),
--                share_strongly_anxious (≤3), paired_share_positive, paired_score_shift
--   numerator    answers meeting the measure (null for the score shift)
--   denominator  valid answers (or pairs)
--   value        the share (or the mean paired change in points)
--   ci_lower     95% interval, lower bound (Wilson for shares)
--   ci_upper     95% interval, upper bound
--   p_value      exact McNemar (paired shares) or Wilcoxon signed-rank, Pratt (score shift)
--   test_name    the test behind p_value
with release as (
    select fiscal_year from meta.releases where is_current
)

select
    item_code,
    wave_type,
    measure,
    numerator,
    denominator,
    value,
    ci_lower,
    ci_upper,
    p_value,
    test_name
from marts.fct_indicator_results
where
    fiscal_year = (select fiscal_year from release)
    and program_code = 'all'
    and scale_code in ('score10', 'anxiety10')
    and wave_type in ('pre', 'post')
    and not is_suppressed
order by item_code, measure like 'paired%', measure, wave_type desc;
