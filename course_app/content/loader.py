"""Read a course folder (format: modules/README.md) and report everything wrong with it.

`validate_course` and `load_course` share one pass over the folder that collects every problem
instead of stopping at the first, so an author can fix a whole folder in one go. The pass is
split by job: `reading` (files, YAML and front matter with their lines), `fields` (each field's
type), `links` (where a spark may link), and one module per kind of file (`course_yaml`,
`etivity_files`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..rendering import plural
from .course_yaml import read_course_yaml
from .etivity_files import read_etivities
from .fields import course_slug_problem
from .specs import CourseSpec, Problem


class ContentError(Exception):
    """A course folder has problems; `problems` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = [f"{plural(len(self.problems), 'problem', 'problems')} in the course folder:"]
        super().__init__("\n".join(lines + [f"  {p}" for p in self.problems]))


def validate_course(path: str | os.PathLike) -> list[Problem]:
    """Every problem in the course folder at `path`; [] when it is valid. Never raises for bad
    content."""
    return _read_course(path)[1]


def load_course(path: str | os.PathLike) -> CourseSpec:
    """The course at `path`, or ContentError listing every problem when there is any."""
    course, problems = _read_course(path)
    if problems or course is None:
        raise ContentError(problems)
    return course


def _read_course(path: str | os.PathLike, existing: bool = False
                 ) -> tuple[CourseSpec | None, list[Problem]]:
    """The one pass behind the public functions: the spec is built only when nothing is wrong.
    The folder's name is the slug of the course it makes (`course_slug_problem`); for an
    `existing` course's (check_files) the slug is already stored, so only its form counts."""
    folder = Path(os.path.abspath(path))  # not resolved: the folder's own name is the slug
    problems: list[Problem] = []
    if not folder.is_dir():
        message = f"there is no course folder at {os.fspath(path)}; check the path"
        return None, [Problem(folder.name, None, None, message)]
    problem = course_slug_problem(folder.name, "folder name", new=not existing)
    if problem:
        problems.append(Problem(folder.name, None, "slug", problem))
    root = Path(os.path.realpath(folder))
    head = read_course_yaml(folder, root, problems)
    etivities = read_etivities(folder, root, problems)
    if problems or head is None or etivities is None:
        return None, _in_reading_order(problems)
    return CourseSpec(slug=folder.name, etivities=etivities, **head), problems


def _in_reading_order(problems: list[Problem]) -> list[Problem]:
    """Files in the order they were read, and each file's problems from top to bottom."""
    files = {problem.file: index for index, problem in reversed(list(enumerate(problems)))}
    return sorted(problems, key=lambda p: (files[p.file], p.line or 0))


def check_files(slug: str, files: dict[str, str]) -> tuple[CourseSpec | None, list[Problem]]:
    """Check a course given as {path inside the folder: text} (the designer's draft, an
    uploaded zip) exactly as `validate_course` checks a folder: they are written to a fresh
    temporary folder named `slug` (an existing course's) and read back. Returns the spec
    (None when anything is wrong) and every problem."""
    with tempfile.TemporaryDirectory() as parent:
        folder = Path(parent) / slug
        for relative, text in files.items():
            path = folder / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        folder.mkdir(exist_ok=True)
        return _read_course(folder, existing=True)
