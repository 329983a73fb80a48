"""Operating the pipeline: the calendar it runs on, backfills, the release deadline, status.

Everything here is plain Python that the DAGs and the ``impact`` command share, so a
scheduled run, a run from the trigger form and a run from the command line take the same path.
"""
