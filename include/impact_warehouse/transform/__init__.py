"""Transform: build the warehouse from landing with dbt (``dbt_runner`` is the one way in).

Nothing is imported here: the statistics modules run in processes without dbt (PL/Python in
PostgreSQL, Spark's Python workers, the bootstrap's worker processes), which must not pay for
importing dbt.
"""
