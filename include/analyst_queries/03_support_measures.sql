-- Question: How much support surrounded the projects this year: study sessions, reflection
--           meetings, work-life events, and the share of projects done in teams?
--           (report: 運営サポートや経験をその後に活かしていくための施策等の数)
-- Grain:    one row per support-measure type of the latest fiscal year with figures (all programs).
-- Columns:
--   fiscal_year                 the release's fiscal year
--   support_measure_type_ja     measure as printed in the report
--   measures                    how many were held across all programs
--   by_program                  the same count per program ('all_programs': held for everyone)
--   multi_person_projects       projects done by a team of two or more (of all projects)
--   projects                    all projects of the year
with release as (
    -- The latest fiscal year, up to the release's own, with figures in this table: a
    -- release made in May carries the new year before any of its surveys has run.
    select max(fiscal_year) as fiscal_year
    from reporting.rpt_support_measures
    where fiscal_year <= (select fiscal_year from meta.releases where is_current)
),

measures as (
    select *
    from reporting.rpt_support_measures
    where fiscal_year = (select fiscal_year from release)
)

select
    totals.fiscal_year,
    totals.support_measure_type_ja,
    totals.measures,
    string_agg(
        per_program.program_code || ' ' || per_program.measures, ' / '
        order by per_program.program_code
    ) as by_program,
    totals.multi_person_projects_of_year as multi_person_projects,
    totals.projects_of_year as projects
from measures as totals
left join measures as per_program
    on per_program.support_measure_type = totals.support_measure_type
    and per_program.program_code != 'all'
where totals.program_code = 'all'
group by all
order by min(totals.display_order);
