"""The jobs, in plain Python: what the DAG tasks and the ``impact`` commands both call.

- :mod:`.ingest`: plan the waves of a data interval, land every source, summarise the run;
- :mod:`.release`: build → gate → (approval) → publish → alerts → reports;
- :mod:`.backfill`: ingest a range of fiscal years, then one release.

Every job takes the :class:`~impact_warehouse.settings.Settings` of its caller; only the
edges (the CLI entry, DAG task bodies, benchmark mains) read them from the environment.
"""
