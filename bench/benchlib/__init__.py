"""The code behind `bench/seed` and `bench/run`: not part of the app, never imported by it."""

import sys
from pathlib import Path

# The checkout these tools sit in comes first, so they measure its course_app even when the
# virtualenv's editable install points at another checkout (a git worktree, say).
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(ROOT))
