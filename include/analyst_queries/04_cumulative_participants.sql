-- Question: How many people has the program reached year after year, counted as
--           participations (延べ) and as distinct people? (report: 延べ参加者数（累積）)
-- Grain:    one row per fiscal year up to the release's, per program and 'all'.
-- Columns:
--   fiscal_year                 fiscal year (April–March)
--   program_code                program, or 'all'
--   participations              participations in that year
--   participants                distinct people in that year
--   cumulative_participations   participations from the first year up to this one (延べ)
--   cumulative_participants     distinct people from the first year up to this one
--   is_suppressed               true when a cell was hidden for small numbers
with release as (
    -- The latest fiscal year, up to the release's own, with figures in this table: a
    -- release made in May carries the new year before any of its surveys has run.
    select max(fiscal_year) as fiscal_year
    from reporting.rpt_cumulative_participants
    where fiscal_year <= (select fiscal_year from meta.releases where is_current)
)

select
    fiscal_year,
    program_code,
    participations,
    participants,
    cumulative_participations,
    cumulative_participants,
    is_suppressed
from reporting.rpt_cumulative_participants
where fiscal_year <= (select fiscal_year from release)
order by fiscal_year, program_code = 'all', program_code;
