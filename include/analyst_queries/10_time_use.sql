-- Question: How many hours a day do past participants and their partners spend on housework
--           and childcare, compared with the comparison group and the national survey?
--           (report: ⑮ パートナーの家事関連時間, "about 30 minutes longer")
-- Grain:    one row per respondent group of the latest fiscal year with figures: followup (past
--           participants), comparison, national_reference (secondary source).
-- Columns:
--   respondent_group                 followup, comparison or national_reference
--   respondents                      respondents with valid hours (null for the reference)
--   self_hours_mean                  her own hours per day, weekly average (5 weekdays + 2 weekend days) ÷ 7
--   partner_hours_mean               her partner's hours per day, same average
--   partner_hours_ci_lower           95% interval of the partner's mean, lower bound
--   partner_hours_ci_upper           95% interval, upper bound
--   partner_share                    partner ÷ (self + partner)
--   partner_difference_hours         followup − comparison, partner's hours (followup row only)
--   partner_share_difference_points  followup − comparison, partner's share in points
--   source_ja                        where the reference figures come from
--   is_suppressed                    true when hidden for small numbers (values null)
with release as (
    -- The latest fiscal year, up to the release's own, with figures in this table: a
    -- release made in May carries the new year before any of its surveys has run.
    select max(fiscal_year) as fiscal_year
    from reporting.rpt_time_use
    where fiscal_year <= (select fiscal_year from meta.releases where is_current)
)

select
    respondent_group,
    respondents,
    self_hours_mean,
    partner_hours_mean,
    partner_hours_ci_lower,
    partner_hours_ci_upper,
    partner_share,
    partner_difference_hours,
    partner_share_difference_points,
    source_ja,
    is_suppressed
from reporting.rpt_time_use
where
    fiscal_year = (select fiscal_year from release)
    and program_code = 'all'
order by
    case respondent_group when 'followup' then 1 when 'comparison' then 2 else 3 end;
