"""The round trip with the folder format: `course export` writes what `course import` reads,
and a course survives folder → database → folder → empty database unchanged."""

import errno
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

import database
from conftest import DEFAULT_COURSE
from course_app.content import load_course
from course_app.content.writing import dump_yaml
from course_app.courses.export import course_spec
from course_app.courses.models import Etivity
from course_app.courses.services import CourseSlugTaken, duplicate_course, get_course
from course_app.extensions import db


def run(runner, *args):
    return runner.invoke(args=list(args))


def stripped(value):
    """Text with its ends trimmed, all the way down (the loader trims every text field)."""
    if isinstance(value, dict):
        return {key: stripped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [stripped(item) for item in value]
    return value.strip() if isinstance(value, str) else value


def front_matter(path) -> dict:
    """An e-tivity file's fields as YAML reads them, and its spark."""
    _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return stripped({**yaml.safe_load(head), "spark": body})


def test_export_reproduces_the_default_folder(runner, course, tmp_path):
    result = run(runner, "course", "export", course.slug, str(tmp_path))
    assert result.exit_code == 0, result.output
    folder = tmp_path / course.slug
    assert load_course(folder) == load_course(DEFAULT_COURSE)
    # The same files, each with the same fields and text (formatting may differ).
    originals = sorted(p.name for p in (DEFAULT_COURSE / "etivities").glob("*.md"))
    assert sorted(p.name for p in (folder / "etivities").glob("*.md")) == originals
    for name in originals:
        assert (front_matter(folder / "etivities" / name)
                == front_matter(DEFAULT_COURSE / "etivities" / name)), name
    assert (yaml.safe_load((folder / "course.yaml").read_text(encoding="utf-8"))
            == yaml.safe_load((DEFAULT_COURSE / "course.yaml").read_text(encoding="utf-8")))


def test_importing_an_export_into_an_empty_database_gives_the_same_course(
        runner, course, tmp_path):
    before = course_spec(course)
    assert run(runner, "course", "export", course.slug, str(tmp_path)).exit_code == 0
    database.empty()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Etivity)) == 0
    result = run(runner, "course", "import", str(tmp_path / before.slug))
    assert result.exit_code == 0, result.output
    assert course_spec(get_course(before.slug)) == before


def test_export_leaves_out_retired_etivities_and_numbers_the_rest(app, course):
    first = course.etivities_in(1)[0]
    first.retired = True
    db.session.flush()
    spec = course_spec(course)
    assert first.slug not in {e.slug for e in spec.etivities}
    assert [e.position for e in spec.etivities_in(1)] == list(
        range(1, len(course.etivities_in(1)) + 1))
    assert spec.etivities_in(1)[0].source.startswith("etivities/1-01-")


def test_export_will_not_write_over_a_course_unless_asked(runner, course, tmp_path):
    assert run(runner, "course", "export", course.slug, str(tmp_path)).exit_code == 0
    again = run(runner, "course", "export", course.slug, str(tmp_path / course.slug))
    assert again.exit_code == 1 and "--replace" in again.output
    stale = tmp_path / course.slug / "etivities" / "9-99-gone.md"
    stale.write_text("left over", encoding="utf-8")
    replaced = run(runner, "course", "export", course.slug, str(tmp_path), "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert not stale.exists()


def test_export_of_an_unknown_course_says_so(runner, tmp_path):
    result = run(runner, "course", "export", "no-such-course", str(tmp_path))
    assert result.exit_code == 1 and "No course 'no-such-course'" in result.output
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("text", [
    "yes", "2024", "- a list?", "key: value # not a comment", "ends with spaces   ",
    "line one\nline two  \n\tindented", "“quotes” and émojis 🎉 " * 8, "  leading spaces",
    "a long line " * 20, "para one\n\npara two\n", "#hash first", "null", "~",
])
def test_any_text_reads_back_exactly(text):
    data = {"title": text, "pieces": [{"name": "n", "body": text}]}
    assert yaml.safe_load(dump_yaml(data)) == data


def test_duplicate_copies_the_content_under_a_new_slug(app, course):
    copy = duplicate_course(course, "engaging-online-2", "Engaging online, again")
    db.session.commit()
    assert copy.id != course.id and copy.title == "Engaging online, again"
    original, duplicate = course_spec(course), course_spec(copy)
    assert duplicate.etivities == original.etivities
    assert duplicate.stages == original.stages
    assert {e.id for e in copy.etivities}.isdisjoint({e.id for e in course.etivities})


@pytest.mark.parametrize("slug, words", [
    ("engaging-online", "already a course"), ("Not A Slug", "lower-case"), ("x" * 81, "80"),
    ("new", "page of the course designer"),
])
def test_duplicate_refuses_a_taken_or_bad_slug(app, course, slug, words):
    with pytest.raises(CourseSlugTaken, match=words):
        duplicate_course(course, slug)


def test_duplicate_on_the_command_line(runner, course):
    result = run(runner, "course", "duplicate", course.slug, "copy-of-engaging")
    assert result.exit_code == 0, result.output
    assert get_course("copy-of-engaging").title == course.title
    taken = run(runner, "course", "duplicate", course.slug, "copy-of-engaging")
    assert taken.exit_code == 1 and "already a course" in taken.output
    reserved = run(runner, "course", "duplicate", course.slug, "new")
    assert reserved.exit_code == 1 and "page of the course designer" in reserved.output
    assert get_course("new") is None


def test_the_default_course_uses_the_newer_fields_so_the_round_trip_covers_them(
        runner, course, tmp_path):
    """weekly_minutes, observe_facilitators, toolkit and moderator_days come back too."""
    spec = load_course(DEFAULT_COURSE)
    assert spec.weekly_minutes
    assert any(e.observe_facilitators for e in spec.etivities)
    assert any(e.toolkit for e in spec.etivities)
    assert any(e.moderator_days for e in spec.etivities)
    assert run(runner, "course", "export", course.slug, str(tmp_path)).exit_code == 0
    again = load_course(tmp_path / course.slug)
    assert again.weekly_minutes == spec.weekly_minutes
    assert [(e.observe_facilitators, e.toolkit, e.moderator_days) for e in again.etivities] == [
        (e.observe_facilitators, e.toolkit, e.moderator_days) for e in spec.etivities]


# ---- writing whole or not at all -------------------------------------------------------

def _snapshot(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_a_replace_that_fails_leaves_the_old_folder_as_it_was(runner, course, tmp_path,
                                                              monkeypatch):
    """It used to remove every etivities/*.md first, then write: course.yaml refused, and
    the folder was left with none of its e-tivities and a traceback."""
    assert run(runner, "course", "export", course.slug, str(tmp_path)).exit_code == 0
    folder = tmp_path / course.slug
    (folder / "images").mkdir()
    (folder / "images" / "map.png").write_bytes(b"not really a png")
    before = _snapshot(folder)
    assert len([p for p in before if p.startswith("etivities/")]) == 18
    real_write = Path.write_text

    def refuse_course_yaml(path, *args, **kwargs):
        if path.name == "course.yaml":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_write(path, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", refuse_course_yaml)
    result = run(runner, "course", "export", course.slug, str(tmp_path), "--replace")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception  # not a traceback
    assert f"Can't write to {folder}: you don't have permission" in result.output
    assert f"{folder} is as it was" in result.output
    assert _snapshot(folder) == before
    assert [p.name for p in tmp_path.iterdir()] == [course.slug]  # nothing left beside it


def test_a_replace_keeps_what_else_the_folder_holds(runner, course, tmp_path):
    assert run(runner, "course", "export", course.slug, str(tmp_path)).exit_code == 0
    folder = tmp_path / course.slug
    (folder / "images").mkdir()
    (folder / "images" / "map.png").write_bytes(b"a picture")
    assert run(runner, "course", "export", course.slug, str(tmp_path), "--replace").exit_code == 0
    assert (folder / "images" / "map.png").read_bytes() == b"a picture"
    assert [p.name for p in tmp_path.iterdir()] == [course.slug]


@pytest.mark.parametrize("where", ["/proc/nope", "under-a-file"])
def test_an_export_to_a_place_that_takes_no_files_says_so(runner, course, tmp_path, where):
    if where == "/proc/nope":
        if not Path("/proc/self").exists():
            pytest.skip("no /proc here")
        target, refused = Path(where), "/proc"
    else:
        (tmp_path / "a-file").write_text("I am a file")
        target, refused = tmp_path / "a-file" / "sub", None
    result = run(runner, "course", "export", course.slug, str(target))
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception  # not a traceback
    assert "Can't write to " + (refused or "") in result.output
    assert "Nothing was written" in result.output
