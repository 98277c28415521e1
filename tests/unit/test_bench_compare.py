"""bench/compare: growth of each page's p95 between two bench/run results, also against each
run's own floor, and the 1.5× limit of issue 10."""

import json
import subprocess
import sys
from pathlib import Path

COMPARE = Path(__file__).resolve().parents[2] / "bench" / "compare"


def _result(path: Path, posts: int, floor: float, pages: dict[str, float]) -> str:
    rows = [{"key": "static", "title": "static file (floor)", "p95": floor}]
    rows += [{"key": key, "title": key, "p95": p95, "queries": 7} for key, p95 in pages.items()]
    meta = {"posts": posts, "database": f"db-{posts}", "load_before": [1.0], "load_after": [2.0]}
    path.write_text(json.dumps({"meta": meta, "rows": rows}))
    return str(path)


def test_growth_is_judged_against_the_limit_and_the_floor(tmp_path):
    small = _result(tmp_path / "small.json", 10_000, 5.0, {"map": 20.0, "thread": 20.0})
    # the large run's floor is twice as slow (a busier machine): the map's p95 doubled with it,
    # the thread's grew four times
    large = _result(tmp_path / "large.json", 1_000_000, 10.0, {"map": 40.0, "thread": 80.0})
    out = subprocess.run([sys.executable, str(COMPARE), small, large], capture_output=True,
                         text=True, check=True).stdout
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
            for line in out.splitlines() if line.startswith("| ") and "---" not in line}
    assert rows["map"] == ["20.0", "40.0", "2.00×", "1.00×", "yes", "7 / 7"]
    assert rows["thread"] == ["20.0", "80.0", "4.00×", "2.00×", "no", "7 / 7"]
    assert "static" not in rows


def test_a_missing_result_is_a_clear_error(tmp_path):
    done = subprocess.run([sys.executable, str(COMPARE), str(tmp_path / "nope.json"),
                           str(tmp_path / "nope.json")], capture_output=True, text=True)
    assert done.returncode == 1
    assert "cannot read the results" in done.stderr
