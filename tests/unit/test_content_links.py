"""Pictures in course text: they show only from the app's own /static/ (rendering.
image_allowed), so a course may link there; any other absolute path is still refused."""

import shutil

import pytest

from conftest import DEFAULT_COURSE
from course_app.content import validate_course
from course_app.rendering import render_markdown

WELCOME = "etivities/1-01-welcome.md"


def with_spark_line(tmp_path, line):
    """The default course with `line` added to the end of its first e-tivity's spark."""
    folder = tmp_path / "engaging-online"
    shutil.copytree(DEFAULT_COURSE, folder)
    path = folder / WELCOME
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{line}\n",
                    encoding="utf-8")
    return folder


def test_a_picture_from_static_is_allowed_and_shown(tmp_path):
    line = "![The course map](/static/img/logo.svg)"
    assert validate_course(with_spark_line(tmp_path, line)) == []
    assert '<img src="/static/img/logo.svg"' in str(render_markdown(line))


@pytest.mark.parametrize("target", ["/account/data", "/static/../account/data", "/images/map.png"])
def test_any_other_absolute_path_is_refused(tmp_path, target):
    problems = validate_course(with_spark_line(tmp_path, f"![a map]({target})"))
    assert len(problems) == 1, problems
    assert "is an absolute path; put a picture in the app's static/ folder" in (
        problems[0].message)
