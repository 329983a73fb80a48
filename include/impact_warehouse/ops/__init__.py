"""Operating rules the jobs and the DAGs share: the organisation's calendar and the preflight
checks of configuration (catalog, pseudonymisation key, Forms credentials)."""
