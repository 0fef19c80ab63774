"""The field service benchmark runs at a tiny scale and its hand-written SQL selects what the product selects.

bench/fieldwork.py times the contracts sweep's due-visit selection and the slot proposals beside
hand-written SQL. Running its children here on a small generated base, on SQLite and on PostgreSQL,
checks that the SQL's due visits are exactly the sweep's and that its eligible technicians are exactly
those the product's own rule (zone, certification on the day) accepts — so the benchmark compares like
with like and stays in step with the product.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_fieldwork", BENCH / "fieldwork.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.django_db
def test_the_benchmarks_sql_selects_the_products_rows_at_a_tiny_scale(bench):
    loaded = bench.child_load("600", "8", "6")
    assert (loaded["contracts"], loaded["technicians"], loaded["requests"]) == (600, 8, 6)

    due = bench.child_due("1")
    assert due["rows"] > 0
    assert due["same_rows"], due

    sweep = bench.child_sweep("5")
    assert (sweep["visits"], sweep["created"]) == (5, 5)

    slots = bench.child_slots("6")
    assert slots["requests"] == 6
    assert slots["same_rows"], slots
    assert slots["slots_outside_eligible"] == 0


def test_the_section_it_writes_says_whether_the_goal_was_met(bench):
    result = {
        "database": "sqlite",
        "scale": 0.01,
        "date": "2026-01-01T00:00:00+00:00",
        "machine": {"cpu": "x", "cores": 2, "memory_gb": 4, "python": "3.11", "sqlite": "3", "system": "Linux"},
        "data": {"contracts": 1000, "technicians": 5},
        "load_average": {"due": 1.0},
        "due": {
            "rows": 10,
            "app_seconds": 0.01,
            "raw_seconds": 0.001,
            "ratio": 10.0,
            "peak_rss_mb": 90,
            "same_rows": True,
            "batches_seconds": 0.2,
        },
        "sweep": {"per_visit_seconds": 0.01, "visits": 10},
        "slots": {
            "requests": 10,
            "app_median_seconds": 0.1,
            "raw_median_seconds": 0.05,
            "app_seconds": 1.0,
            "raw_seconds": 0.5,
            "ratio": 2.0,
            "peak_rss_mb": 90,
            "same_rows": True,
        },
        "goals_met": {"due": False, "slots": True},
    }
    section = bench.performance_section([result])
    assert section.startswith(bench.SECTION_START) and section.endswith(bench.SECTION_END)
    assert "| 10.00 | not met |" in section
    assert "| 2.0 | met |" in section
