"""Reading a course folder's files, keeping every value's line for the report.

A file is read only when it is UTF-8 text inside the course folder. YAML is only *composed*
(never constructed into arbitrary objects): each value keeps its line, and no tag can make the
loader run code.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from ..text import control_problem
from .specs import Problem

# libyaml's loader where PyYAML was built with it (its wheels are): the same YAML, read about
# ten times faster than the pure-Python one, which is the fallback.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def inside(path: Path, root: Path) -> bool:
    """Whether `path`, after following `..` and symlinks, is still inside the course folder."""
    return Path(os.path.realpath(path)).is_relative_to(root)


class Doc:
    """One file being checked: where its problems go, and how YAML lines map to file lines."""

    def __init__(self, file: str, problems: list[Problem], first_line: int = 1):
        self.file = file
        self.problems = problems
        self.first_line = first_line  # the file line on which the YAML text starts

    def add(self, line: int | None, field: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, line, field, message))

    def report(self, node: yaml.Node, field: str | None, message: str) -> None:
        self.add(self.line(node), field, message)

    def line(self, node: yaml.Node) -> int:
        return node.start_mark.line + self.first_line


def read_text(doc: Doc, path: Path, root: Path, missing: str) -> str | None:
    """A file's text, provided it exists, stays inside the course folder, is UTF-8 and holds
    no control characters."""
    if not path.exists() and not path.is_symlink():
        doc.add(None, None, missing)
        return None
    if not inside(path, root):
        doc.add(None, None,
                "is a link to a file outside the course folder; copy the file in instead")
        return None
    if not path.is_file():
        doc.add(None, None, "is not a file (a broken link?); replace it with the real file")
        return None
    try:
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        doc.add(None, None, "is not UTF-8 text; save it again as UTF-8")
    except OSError as error:
        doc.add(None, None, f"can't be read ({error.strerror}); check its permissions")
    else:
        return text if _no_controls(doc, text) else None
    return None


def _no_controls(doc: Doc, text: str) -> bool:
    """Report every line with a control character (text.control_problem): one would end up
    in the database, or make YAML stop reading."""
    clean = True
    for number, line in enumerate(text.split("\n"), start=1):  # only \n ends a YAML line
        problem = control_problem(line, multiline=True)
        if problem:
            doc.add(number, None, f"this line {problem}; delete it (an editor that shows "
                                  "invisible characters helps)")
            clean = False
    return clean


def compose(doc: Doc, text: str) -> yaml.Node | None:
    """The YAML as a node tree (values keep their lines), or None after reporting why not."""
    try:
        node = yaml.compose(text, Loader=LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        what = error.problem or error.context or "it is not valid YAML"
        hint = "check the indentation, and put text that contains ': ' or ' #' in quotes"
        doc.add(mark and mark.line + doc.first_line, None,
                f"the YAML can't be read: {what}; {hint}")
        return None
    except yaml.YAMLError as error:
        doc.add(None, None, f"the YAML can't be read: {error}")
        return None
    if node is None:
        doc.add(doc.first_line, None, "has no fields; add those described in modules/README.md")
    return node


def split_front_matter(doc: Doc, text: str) -> tuple[str, str, int] | None:
    """Split '---', YAML, '---', body. Returns (YAML, body, file line where the body starts).

    A closing line must be exactly '---' at the left margin, so an indented '---' inside a
    piece's body text does not end the front matter.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        how = ("start the file with a '---' line, then the fields, then another '---' line, "
               "then the spark")
        doc.add(1, None, f"has no front matter; {how}")
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    how = "add a '---' line after the last field"
    doc.add(1, None, f"the front matter that starts here has no closing '---' line; {how}")
    return None
