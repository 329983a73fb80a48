-- Question: One to two years later, how do past participants compare with similar mothers who
--           did not take part (the web-panel comparison group)? (report: 中期アウトカム ⑪–⑮,
--           e.g. 仕事での新しいチャレンジ +35.3 points)
-- Grain:    one row per follow-up item × measure of the latest fiscal year with figures, all programs.
-- Columns:
--   indicator_symbol        logic-model indicator ⑪–⑮
--   item_code               survey item
--   report_label_ja         the statement as printed in the report
--   measure                 a share measure of the item's scale (scale_measures.csv: agree,
--                           yes, confident ≥6, high ≥8 …)
--   respondents             valid follow-up answers
--   share                   share positive among past participants
--   comparison_respondents  valid comparison-group answers
--   comparison_share        share positive in the comparison group
--   difference_points       share − comparison_share, in percentage points
--   difference_ci_lower     Newcombe (hybrid Wilson) 95% interval, lower bound
--   difference_ci_upper     Newcombe 95% interval, upper bound
--   fisher_p_value          Fisher's exact test
--   response_rate           response rate of the follow-up survey (read the shares with it)
--   is_suppressed           true when hidden for small numbers (values null)
with release as (
    -- The latest fiscal year, up to the release's own, with figures in this table: a
    -- release made in May carries the new year before any of its surveys has run.
    select max(fiscal_year) as fiscal_year
    from reporting.rpt_mid_term_outcomes
    where fiscal_year <= (select fiscal_year from meta.releases where is_current)
)

select
    indicator_symbol,
    item_code,
    report_label_ja,
    measure,
    respondents,
    share,
    comparison_respondents,
    comparison_share,
    difference_points,
    difference_ci_lower,
    difference_ci_upper,
    fisher_p_value,
    response_rate,
    is_suppressed
from reporting.rpt_mid_term_outcomes
where
    fiscal_year = (select fiscal_year from release)
    and program_code = 'all'
order by display_order, measure;
