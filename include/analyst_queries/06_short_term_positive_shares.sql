-- Question: Right after the program, what share of participants agreed with each short-term
--           outcome statement (indicators ④–⑩), with a 95% interval?
--           (report: 短期アウトカム; e.g. 視野が広がった ≥90%)
-- Grain:    one row per post-survey item of the latest fiscal year with figures, all programs together.
-- Columns:
--   indicator_symbol  logic-model indicator ④–⑩
--   item_code         survey item (stable across years and wordings)
--   report_label_ja   the statement as printed in the report
--   respondents       valid answers to the item (the denominator)
--   measure           the item's primary share measure (scale_measures.csv, e.g. agree)
--   share             its share, e.g. agree = そう思う or ややそう思う (top-2 box)
--   ci_lower          Wilson 95% interval, lower bound
--   ci_upper          Wilson 95% interval, upper bound
--   response_rate     response rate of the post surveys behind it
--   is_suppressed     true when hidden for small numbers (values null)
with release as (
    -- The latest fiscal year, up to the release's own, with figures in this table: a
    -- release made in May carries the new year before any of its surveys has run.
    select max(fiscal_year) as fiscal_year
    from reporting.rpt_short_term_outcomes
    where fiscal_year <= (select fiscal_year from meta.releases where is_current)
)

select
    indicator_symbol,
    item_code,
    report_label_ja,
    respondents,
    measure,
    share,
    share_ci_lower as ci_lower,
    share_ci_upper as ci_upper,
    response_rate,
    is_suppressed
from reporting.rpt_short_term_outcomes
where
    fiscal_year = (select fiscal_year from release)
    and program_code = 'all'
order by display_order;
