"""Each staff-selected quote (seed voice_quotes), quoted or dropped with its reason (issue 14).

Grain: one row per selected answer (response_key × item_code). No text: the published
reporting.rpt_voice_quotes joins the text of the quoted rows only. The rules (consent yes,
nothing the personal-data detector finds, category with at least k respondents) live in
impact_warehouse.transform.voices, run by this dbt Python model on DuckDB and, on
PostgreSQL, by postgres/fct_voice_quote_decisions.sql through PL/Python and, on Spark, by
spark/fct_voice_quote_decisions.sql through a Python table function.
"""

from impact_warehouse.transform.model_computations import Computation
from impact_warehouse.transform.voices import ANSWER_COLUMNS, consent_measures

compute_quote_decisions = Computation("impact_warehouse.transform.voices:compute_quote_decisions")


def model(dbt, session):
    dbt.config(materialized="table")
    codebook = dbt.ref("voice_codebook").df()
    # Only the codebook's items and their consent items reach pandas, not every answer.
    wanted = set(codebook.item_code) | set(codebook.consent_item_code.dropna())
    items = "', '".join(sorted(wanted)) or "-"
    answers = (
        dbt.ref("fct_answers")
        .filter(f"is_counted and item_code in ('{items}')")
        .project(", ".join(ANSWER_COLUMNS))
    )
    return compute_quote_decisions(
        dbt.ref("voice_quotes").df(),
        answers.df(),
        dbt.ref("fct_voice_codes").df(),
        dbt.ref("fct_voice_categories").df(),
        codebook,
        consent_measures(codebook, dbt.ref("items").df(), dbt.ref("scale_measures").df()),
    )
