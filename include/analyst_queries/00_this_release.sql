-- Question: Which release am I reading, when was it published, did the gate pass, and which
--           releases came before it?
-- Grain:    one row per release up to and including the one in this file (newest first).
-- Columns:
--   release_id   folder name under <work>/releases/ (open that file to re-read it exactly)
--   fiscal_year  the fiscal year (April–March) the release was made for
--   created_at   when it was published (UTC)
--   is_current   true for the release this file holds
--   gate_passed  the quality gate's verdict (a release exists only if it passed)
--   git_commit   the project's code version that built it
select
    release_id,
    fiscal_year,
    created_at,
    is_current,
    cast(gate_result ->> 'passed' as boolean) as gate_passed,
    git_commit
from meta.releases
order by created_at desc;
