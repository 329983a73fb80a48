-- Question: What are this year's headline results across the logic model, each with its
--           interval and what it is compared against? (report: 評価結果まとめ)
-- Grain:    one row per headline figure of the latest fiscal year with figures, in report order.
-- Columns:
--   indicator_symbol     logic-model indicator ④–⑮
--   indicator_type       short_term or mid_term
--   figure_code          the figure (usually the item it is measured by)
--   measure              how it is measured (agree, confident, anxious, mean, …)
--   wave_type            the wave the value comes from
--   respondents          valid answers behind the value
--   value                the figure (a share 0–1, or hours)
--   ci_lower             95% interval, lower bound
--   ci_upper             95% interval, upper bound
--   baseline_wave_type   what it is compared against (pre or comparison), if anything
--   baseline_value       the value there
--   difference           value − baseline, in difference_unit
--   difference_unit      points or hours
--   p_value              test of the difference, where one applies
with release as (
    -- The latest fiscal year, up to the release's own, with figures in this table: a
    -- release made in May carries the new year before any of its surveys has run.
    select max(fiscal_year) as fiscal_year
    from reporting.rpt_summary
    where fiscal_year <= (select fiscal_year from meta.releases where is_current)
)

select
    indicator_symbol,
    indicator_type,
    figure_code,
    measure,
    wave_type,
    respondents,
    value,
    ci_lower,
    ci_upper,
    baseline_wave_type,
    baseline_value,
    difference,
    difference_unit,
    p_value
from reporting.rpt_summary
where
    fiscal_year = (select fiscal_year from release)
    and not is_suppressed
order by display_order;
