"""What the benchmarks share: children in fresh processes with their peak memory, PostgreSQL databases, the machine, the docs.

Each benchmark script runs every measurement in a child process started from the script itself
(``python bench/<script>.py --child <kind> ...``), so that each measurement's peak resident memory
(``os.wait4``) is its own and nothing cached by one measurement helps the next.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PERFORMANCE_DOC = ROOT / "docs" / "performance.md"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")


def run_child(script: str, kind: str, *args: str, database_url: str, workdir: Path) -> tuple[dict[str, Any], float]:
    """Run one measurement of a script in a child process; return its JSON result and its peak resident memory in MB."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "aftersales.config.settings",
        "AFTERSALES_ALLOW_INSECURE_KEY": "1",
        "AFTERSALES_VAR_DIR": str(workdir),
        "DEBUG": "0",
        "PYTHONPATH": str(ROOT),
    }
    out = workdir / f"{kind}.out"
    with out.open("w") as stdout:
        process = subprocess.Popen([sys.executable, script, "--child", kind, *args], env=env, stdout=stdout, cwd=ROOT)
        _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{kind} failed with status {process.returncode}")
    return json.loads(out.read_text().strip().splitlines()[-1]), usage.ru_maxrss / 1024


def databases_chosen(parser: argparse.ArgumentParser, text: str) -> list[str]:
    """Return the databases named in a comma-separated option, refusing unknown ones."""
    databases = [name.strip() for name in text.split(",") if name.strip()]
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown databases: {', '.join(sorted(unknown))}")
    return databases


def pg_admin(sql: str) -> None:
    """Run a statement on the PostgreSQL server's maintenance database (create or drop a database)."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def pg_version() -> str:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres") as conn:
        row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "?"


def machine() -> dict[str, Any]:
    """Return what the figures were measured on."""
    import sqlite3

    cpu = "?"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as info:
        memory_gb = int(info.readline().split()[1]) / 1024 / 1024
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_gb, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "system": platform.platform(),
    }


def machine_line(info: dict[str, Any], postgresql: str = "") -> str:
    """Return the machine as one sentence for docs/performance.md."""
    return (
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB RAM, {info['system']}; "
        f"Python {info['python']}, SQLite {info['sqlite']}" + (f", PostgreSQL {postgresql}" if postgresql else "") + "."
    )


def document(section: str, *, start: str, end: str) -> None:
    """Replace one benchmark's section of docs/performance.md (between its markers), keeping the rest of the page."""
    text = PERFORMANCE_DOC.read_text() if PERFORMANCE_DOC.exists() else "# Performance\n\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    PERFORMANCE_DOC.write_text(text)
