-- Question: How many programs ran this fiscal year, with how many projects, participants and
--           supported organisations? (report: 提供したプログラムの数)
-- Grain:    one row per program of the latest fiscal year with figures, plus 'all' (last).
-- Columns:
--   fiscal_year               the release's fiscal year
--   program_code              program, or 'all' for the total
--   program_name_ja           name as printed in the report
--   cohorts_run               times the program ran (実施回数)
--   projects                  projects (プロジェクト数)
--   participations            participations (延べ; a person in two programs counts twice)
--   participants              distinct people (参加者数)
--   organisations             supported organisations (支援先団体数)
--   multi_person_project_share  share of projects done by a team of two or more
--   is_suppressed             true when a cell was hidden for small numbers (values null)
with release as (
    -- The latest fiscal year, up to the release's own, with figures in this table: a
    -- release made in May carries the new year before any of its surveys has run.
    select max(fiscal_year) as fiscal_year
    from reporting.rpt_outputs
    where fiscal_year <= (select fiscal_year from meta.releases where is_current)
)

select
    fiscal_year,
    program_code,
    program_name_ja,
    cohorts_run,
    projects,
    participations,
    participants,
    organisations,
    multi_person_project_share,
    is_suppressed
from reporting.rpt_outputs
where fiscal_year = (select fiscal_year from release)
order by program_code = 'all', program_code;
