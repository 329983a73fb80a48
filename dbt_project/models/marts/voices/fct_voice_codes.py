"""Free-text answers coded into the codebook's categories (issue 14, voices).

Grain: one row per answer × category. Which answers: counted answers (latest submission of a
linked respondent) with text, to an item of the seed voice_codebook. The patterns are Python
regular expressions, matched by impact_warehouse.transform.voices so every engine reads them
alike: this dbt Python model on DuckDB; on PostgreSQL the SQL model
postgres/fct_voice_codes.sql calls the same code through PL/Python, and on Spark
spark/fct_voice_codes.sql through a Python table function.
"""

from impact_warehouse.transform.model_computations import Computation
from impact_warehouse.transform.voices import ANSWER_COLUMNS

compute_voice_codes = Computation("impact_warehouse.transform.voices:compute_voice_codes")


def model(dbt, session):
    dbt.config(materialized="table")
    codebook = dbt.ref("voice_codebook").df()
    items = "', '".join(sorted(set(codebook.item_code))) or "-"
    answers = (
        dbt.ref("fct_answers")
        .filter(f"is_counted and item_code in ('{items}')")
        .project(", ".join(ANSWER_COLUMNS))
    )
    return compute_voice_codes(answers.df(), codebook, dbt.ref("voice_manual_codes").df())
