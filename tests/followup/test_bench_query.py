"""The sweep's due rows agree with an independent hand-written SQL query (the benchmark's) on a generated installed base.

The benchmark in bench/followup.py times the sweep's selection beside one hand-written query and
compares their rows. Running both here on a small generated base, on SQLite and on PostgreSQL, checks
the engine's date arithmetic (months, warranty ends, birthdays, the business's time zone) against SQL
written independently of it — and keeps the benchmark's query in step with the engine.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_followup", BENCH / "followup.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.django_db
def test_the_sweeps_due_rows_are_the_hand_written_querys(bench):
    loaded = bench.child_load("6000", "1500")
    assert loaded["units"] == 6000

    orm = bench.child_select()
    sql = bench.child_sql()

    # every step of the default playbook has something due on the benchmark's sweep day
    assert all(step["rows"] for step in orm["per_step"].values()), orm["per_step"]
    assert (orm["rows"], orm["digest"]) == (sql["rows"], sql["digest"])
