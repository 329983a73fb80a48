-- Question: After returning to work, how often do past participants report being put on a
--           "mommy track" (auxiliary work, unfair evaluation), compared with the comparison
--           group, per program? (report: マミートラックの固定化)
-- Grain:    one row per mommy-track item × program (and 'all') of the latest fiscal year with figures.
-- Columns:
--   program_code       program, or 'all'
--   item_code          survey item
--   report_label_ja    the statement as printed in the report
--   respondents        valid follow-up answers
--   share              share answering yes / agree among past participants
--   comparison_share   the same share in the comparison group
--   difference_points  share − comparison_share, in percentage points
--   fisher_p_value     Fisher's exact test
--   is_suppressed      true when hidden for small numbers (values null)
with release as (
    -- The latest fiscal year, up to the release's own, with figures in this table: a
    -- release made in May carries the new year before any of its surveys has run.
    select max(fiscal_year) as fiscal_year
    from reporting.rpt_mommy_track
    where fiscal_year <= (select fiscal_year from meta.releases where is_current)
)

select
    program_code,
    item_code,
    report_label_ja,
    respondents,
    share,
    comparison_share,
    difference_points,
    fisher_p_value,
    is_suppressed
from reporting.rpt_mommy_track
where fiscal_year = (select fiscal_year from release)
order by program_code = 'all', program_code, display_order;
