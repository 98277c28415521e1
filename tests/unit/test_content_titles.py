"""Text in course files that would show as nothing (spaces, a zero-width space) counts as
empty, by the one rule forms use (`text.is_blank`): in course.yaml and in an e-tivity alike."""

import shutil

import pytest

from conftest import DEFAULT_COURSE
from course_app.content import validate_course

WELCOME = "etivities/1-01-welcome.md"


@pytest.fixture
def folder(tmp_path):
    copy = tmp_path / "engaging-online"
    shutil.copytree(DEFAULT_COURSE, copy)
    return copy


def retitle(path, title):
    """Give the file's first `title:` line another value, written as YAML would quote it."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    lines[number] = f'title: "{title}"\n'
    path.write_text("".join(lines), encoding="utf-8")
    return number + 1


@pytest.mark.parametrize("title", ["  ", "\\u200b", "\\u3000\\u200b ", "\\ufeff"])
@pytest.mark.parametrize("file", ["course.yaml", WELCOME])
def test_a_title_with_nothing_to_see_is_empty(folder, file, title):
    line = retitle(folder / file, title)
    problems = [p for p in validate_course(folder) if p.field == "title"]
    assert len(problems) == 1, problems
    assert problems[0].line == line and problems[0].file.endswith(file)
    assert "is empty; write some text after 'title:'" in problems[0].message


def test_a_spark_with_nothing_to_see_is_empty(folder):
    path = folder / WELCOME
    head, _, _ = path.read_text(encoding="utf-8").rpartition("\n---\n")
    path.write_text(head + "\n---\n\u200b\n", encoding="utf-8")
    problems = [p for p in validate_course(folder) if p.field == "body"]
    assert len(problems) == 1 and "is empty" in problems[0].message, problems
