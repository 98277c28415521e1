"""The results: a Markdown table (each p50 also as a multiple of the static-file floor of the
same run) and the raw figures as JSON, in bench/results/<date>-<database>.md/.json."""

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from .database import ROOT, is_sqlite, label


def meta(url: str, notes: dict, args) -> dict:
    def version(command: list[str]) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=10,
                                  check=False)
            return (done.stdout or done.stderr).splitlines()[0].strip()
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"

    return {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": label(url),
        "dialect": "sqlite" if is_sqlite(url) else "postgresql",
        "url": make_url(url).render_as_string(hide_password=True),
        "posts": notes.get("posts"),
        "long_thread_url": notes.get("long_thread_url"),
        "cohort_id": notes.get("cohort_id"),
        "commit": version(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
                  + ("+changes" if _changed() else ""),
        "cpus": os.cpu_count(),
        "load_before": os.getloadavg(),
        "python": platform.python_version(),
        "wrk": version(["wrk", "--version"]),
        "gunicorn": version([sys.executable, "-m", "gunicorn", "--version"]),
        "server": "gunicorn, 2 sync workers, 127.0.0.1",
        "duration": args.duration,
        "connections": args.connections,
        "users": args.users,
    }


def _changed() -> bool:
    """Uncommitted changes to tracked files: the commit alone doesn't say what ran."""
    done = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                          capture_output=True, text=True, check=False)
    return bool(done.stdout.strip())


def _floor(rows: list[dict]) -> float | None:
    static = next((r for r in rows if r["key"] == "static"), None)
    return static["p50"] if static and static["requests"] else None


def ratio(row: dict, floor: float | None) -> str:
    if not floor or not row["requests"]:
        return "–"
    return (f"{row['p50'] / floor:,.0f}×" if row["p50"] / floor >= 10
            else f"{row['p50'] / floor:.1f}×")


def progress(row: dict, first: dict) -> None:
    floor = first["p50"] if first["key"] == "static" else None
    sys.stderr.write(
        f"{row['title']:<28} {row['rps']:>8.1f} req/s  p50 {row['p50']:>9.1f} ms  "
        f"p95 {row['p95']:>9.1f} ms  {ratio(row, floor):>6}  n={row['requests']}"
        f"{'  ERRORS ' + str(row['errors'] + row['socket_errors']) if _errors(row) else ''}\n")
    sys.stderr.flush()


def _errors(row: dict) -> int:
    return row["errors"] + row["socket_errors"]


def markdown(meta: dict, rows: list[dict]) -> str:
    floor = _floor(rows)
    has_queries = any("queries" in r for r in rows)
    lines = [
        f"## {meta['database']}: {meta['posts']:,} posts ({meta['started_at']})",
        "",
        f"{meta['server']}; wrk {meta['connections']} connections a page "
        f"({meta['users']} for the mixed workload), {meta['duration']:.0f} s a page (slow pages "
        f"longer); {meta['cpus']} CPUs shared by server and load generator; load average "
        f"{meta['load_before'][0]:.1f} before, {meta.get('load_after', (0.0,))[0]:.1f} after. "
        f"Long thread {meta['long_thread_url']}, {meta.get('long_thread_pages', '?')} pages; "
        f"cohort {meta['cohort_id']}. Commit {meta['commit']}.",
        "",
        "| page | req/s | p50 ms | p95 ms | p99 ms | p50 × floor | errors | kB | requests |"
        + (" SQL |" if has_queries else ""),
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        + (" ---: |" if has_queries else ""),
    ]
    for r in rows:
        if r["requests"]:
            figures = (f"{r['rps']:,.1f} | {r['p50']:,.1f} | {r['p95']:,.1f} | {r['p99']:,.1f} | "
                       f"{ratio(r, floor)}")
        else:
            figures = "0 | – | – | – | –"
        lines.append(
            f"| {r['title']} | {figures} | {_errors(r)} | {r['bytes_per_response'] / 1024:,.1f} | "
            f"{r['requests']} |" + (f" {r.get('queries', '–')} |" if has_queries else ""))
    return "\n".join(lines) + "\n"


def write(out: str, meta: dict, rows: list[dict]) -> list[Path]:
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{meta['started_at'][:10]}-{meta['database']}"
    md = folder / f"{stem}.md"
    md.write_text(markdown(meta, rows))
    raw = folder / f"{stem}.json"
    raw.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    return [md, raw]
