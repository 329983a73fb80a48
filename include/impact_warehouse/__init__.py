"""Impact warehouse: survey ingestion, the logic-model catalog and warehouse tooling."""
