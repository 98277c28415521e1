"""Run under the project's virtualenv whatever `python3` the shebang found, and import the
course_app of this checkout (a git worktree shares the main checkout's .venv)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def project_python() -> Path | None:
    """ROOT/.venv, else the .venv of the main checkout this worktree belongs to."""
    candidates = [ROOT / ".venv" / "bin" / "python"]
    try:
        common = subprocess.run(["git", "rev-parse", "--git-common-dir"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.strip()
        candidates.append((ROOT / common).resolve().parent / ".venv" / "bin" / "python")
    except (OSError, subprocess.CalledProcessError):
        pass
    return next((c for c in candidates if c.exists()), None)


def use_project_python() -> None:
    """Re-run this script under the venv's python when Flask isn't importable here."""
    try:
        import flask  # noqa: F401
        import sqlalchemy  # noqa: F401
    except ImportError:
        python = project_python()
        if python is None or Path(sys.executable) == python:
            sys.exit("No virtualenv with the app's dependencies: run `make install` first.")
        os.execv(str(python), [str(python), *sys.argv])
    # before site-packages, where an editable install may point elsewhere
    sys.path.insert(0, str(ROOT))
