"""The query planner's statistics, gathered on SQLite, which never gathers them by itself.

SQLite plans a query from its indexes alone until ``ANALYZE`` has recorded how many rows each table and
index holds (``sqlite_stat1``). Without those figures it can look rows up through an index that matches
thousands of them where another matches a few: the console's unanswered queue at 100,000 tickets took
654 ms a page without statistics (each ticket's paused clock looked up among all paused clocks) and
1.2 ms with them. The statements the console runs most are written so that SQLite picks the right index
either way (see ``service.ticket_rows``); statistics cover the rest. PostgreSQL's autovacuum keeps its
own statistics, so there is nothing to do there.

``PRAGMA analysis_limit`` makes ``ANALYZE`` read about a thousand rows of each index instead of all of
them: figures close enough for the planner, in milliseconds even for a database of gigabytes. The sweep
runs hourly, so that a table which grew since is described again soon; a sales import refreshes them as
soon as it commits.
"""

from __future__ import annotations

import time

from django.db import connection

# Rows of each index ANALYZE reads on SQLite (0 reads them all).
SQLITE_ANALYSIS_LIMIT = 1000


def planner_statistics_refresh() -> dict[str, object]:
    """Gather the query planner's statistics where the database does not do it itself; return what was done."""
    if connection.vendor != "sqlite":
        return {"skipped": f"{connection.vendor} keeps its own statistics"}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT:d}")
        try:
            cursor.execute("ANALYZE")
        finally:
            cursor.execute(f"PRAGMA analysis_limit = {before:d}")
        cursor.execute("SELECT COUNT(DISTINCT tbl) FROM sqlite_stat1")
        tables = int(cursor.fetchone()[0])
    return {"tables": tables, "seconds": round(time.perf_counter() - started, 3)}
