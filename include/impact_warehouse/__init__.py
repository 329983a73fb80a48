"""Impact warehouse: survey ingestion, the logic-model catalog and warehouse tooling."""

import warnings

# pyspark (installed for the Spark engine) warns on import that it does not yet fully support
# pandas 3; Great Expectations imports it whenever it is installed, so every gate, publish
# and backfill printed the warning above its own messages. The Spark build compares every
# table with the DuckDB build (tests/transform/test_spark_engine.py), which is the check
# that matters here.
warnings.filterwarnings(
    "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
)
