-- Question: What was the employment situation of this year's participants, per program group
--           (programs.csv program_group_code) and in total? (report: 参加者の就業状況内訳)
-- Grain:    one row per employment status × program group (and 'all') of the release's
--           fiscal year, in report order.
-- Columns:
--   fiscal_year           the release's fiscal year
--   employment_status_ja  status as printed in the report
--   program_group_code    the program group, or 'all' for every participation of the year
--   participations        participations of the group with that status (null: suppressed)
--   share_of_group        share of the group's participations (null: suppressed)
with release as (
    -- The latest fiscal year, up to the release's own, with figures in this table: a
    -- release made in May carries the new year before any of its surveys has run.
    select max(fiscal_year) as fiscal_year
    from reporting.rpt_outputs_employment
    where fiscal_year <= (select fiscal_year from meta.releases where is_current)
),

employment as (
    select *
    from reporting.rpt_outputs_employment
    where fiscal_year = (select fiscal_year from release)
)

select
    fiscal_year,
    employment_status_ja,
    program_group_code,
    participations,
    share_of_group
from employment
-- 'all' last in each status, as the report's total column
order by display_order, program_group_code = 'all', program_group_code;
