-- Question: What was the employment situation of this year's participants, for ママボノ,
--           for ママボノNEXT and in total? (report: 参加者の就業状況内訳)
-- Grain:    one row per employment status of the release's fiscal year, in report order.
-- Columns:
--   fiscal_year           the release's fiscal year
--   employment_status_ja  status as printed in the report
--   mamabono              participations of ママボノ with that status
--   next                  participations of ママボノNEXT (social research + NPO mentoring)
--   total                 both together
--   total_share           share of all participations of the year
with release as (
    select fiscal_year from meta.releases where is_current
),

employment as (
    select *
    from reporting.rpt_outputs_employment
    where fiscal_year = (select fiscal_year from release)
)

select
    fiscal_year,
    employment_status_ja,
    max(case when program_group_code = 'mamabono' then participations end) as mamabono,
    max(case when program_group_code = 'next' then participations end) as next,
    max(case when program_group_code = 'all' then participations end) as total,
    max(case when program_group_code = 'all' then share_of_group end) as total_share
from employment
group by fiscal_year, employment_status_ja, display_order
order by display_order;
