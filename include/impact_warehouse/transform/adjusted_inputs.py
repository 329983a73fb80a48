"""The columns the adjusted estimates read from their large inputs, in their tables' order.

Apart from the computations (transform/nonresponse.py, transform/comparison_adjustment.py) so
that a DuckDB Python model can select its columns without importing scipy and statsmodels into
dbt's process (transform/model_computations.py). The computations keep only these columns
before they sort (in_stable_order), so every engine computes from the same rows in the same
order whatever else it hands over, and a DuckDB model reads no more
(transform/duckdb_frames.py): at 1000× the demo the answers alone are millions of rows.
"""

# Non-response (compute_nonresponse).
NONRESPONSE_TARGET_COLUMNS = ("wave_code", "participant_key", "cohort_code", "program_code")
NONRESPONSE_PARTICIPATION_COLUMNS = ("participant_key", "cohort_code", "employment_status_code")
NONRESPONSE_RESPONSE_COLUMNS = ("wave_code", "participant_key", "is_counted")
NONRESPONSE_ANSWER_COLUMNS = (
    "wave_code",
    "wave_type",
    "participant_key",
    "cohort_code",
    "item_code",
    "scale_code",
    "indicator_code",
    "value_numeric",
    "is_counted",
)

# The adjusted comparison (compute_comparison_adjustment), from fct_answers.
COMPARISON_ANSWER_COLUMNS = (
    "wave_code",
    "fiscal_year",
    "wave_type",
    "respondent_key",
    "item_code",
    "scale_code",
    "indicator_code",
    "value_numeric",
    "is_counted",
)
