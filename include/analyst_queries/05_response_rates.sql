-- Question: How many of the people each survey targeted answered it, per program and wave,
--           and how many answers could be linked to a targeted participant?
--           (report: アンケート実施概要 対象者数・回答者数・回答率)
-- Grain:    one row per survey wave of the latest fiscal year with figures × program (and 'all').
-- Columns:
--   wave_code       survey wave
--   wave_type       pre, post, followup or comparison
--   breakdown_code  program, or 'all' for the whole wave
--   targeted        participants the wave targeted (for comparison: the panel's target n)
--   responded       distinct targeted participants who answered (latest submission counts)
--   response_rate   responded ÷ targeted (null for the comparison panel, which has no roster)
--   linkage_rate    share of respondents linked to a targeted participant (whole wave only)
with release as (
    -- The latest fiscal year, up to the release's own, with figures in this table: a
    -- release made in May carries the new year before any of its surveys has run.
    select max(fiscal_year) as fiscal_year
    from marts.fct_response_rates
    where fiscal_year <= (select fiscal_year from meta.releases where is_current)
)

select
    wave_code,
    wave_type,
    breakdown_code,
    targeted,
    responded,
    response_rate,
    linkage_rate
from marts.fct_response_rates
where
    fiscal_year = (select fiscal_year from release)
    and breakdown_level in ('all', 'program')
order by wave_type, wave_code, breakdown_level = 'all', breakdown_code;
