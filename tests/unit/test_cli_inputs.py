"""Bad input at the command line and in course files: refused with a message, exit 2 for a
usage error (click), nothing stored; course files with a control character are reported with
file and line."""

import shutil

import pytest
from sqlalchemy import func, select

from conftest import DEFAULT_COURSE
from course_app.auth.models import User
from course_app.content import validate_course
from course_app.courses.services import duplicate_course, get_course
from course_app.extensions import db


def run(runner, *args, input=None):
    return runner.invoke(args=list(args), input=input)


@pytest.mark.parametrize("args", [
    ["user", "create", "--email", "a@example.org", "--name", "Ana\x1b[31m", "--password", "x"],
    ["user", "create", "--email", "a\x00@example.org", "--name", "Ana", "--password", "x"],
    ["user", "disable", "ana\x07@example.org"],
    ["cohort", "create", "--course", "engaging-online", "--name", "Spring\x00",
     "--facilitator", "f@example.org"],
])
def test_control_characters_in_arguments_are_refused(runner, args):
    result = run(runner, *args)
    assert result.exit_code == 2, result.output
    assert "control character" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize("cohort_id", [str(2**31), str(2**63), str(10**20), "0"])
def test_cohort_ids_beyond_the_database_are_refused(runner, cohort_id):
    for args in (["report", cohort_id], ["cohort", "state", cohort_id, "closed", "--as", "a@b.c"],
                 ["progress", "rebuild-counts", "--cohort", cohort_id]):
        result = run(runner, *args)
        assert result.exit_code == 2, result.output
        assert "is not in the range" in result.output


def test_a_negative_cohort_id_is_refused_as_usage(runner):
    result = run(runner, "progress", "rebuild-counts", "--cohort", "-5")
    assert result.exit_code == 2, result.output


def test_an_unknown_cohort_is_the_same_answer_everywhere(runner, factory):
    """Not there, though the database could hold the id: exit 1 and one message."""
    factory.user(email="a@example.org")
    answers = {run(runner, *args) for args in (
        ["report", "999999"], ["cohort", "state", "999999", "closed", "--as", "a@example.org"],
        ["progress", "rebuild-counts", "--cohort", "999999"])}
    for result in answers:
        assert result.exit_code == 1, result.output
    assert len({r.output for r in answers}) == 1, [r.output for r in answers]
    assert "No cohort 999999." in answers.pop().output


@pytest.mark.parametrize("args", [["report", "abc"], ["purge-withdrawn", "--days", "abc"],
                                  ["cohort", "create", "--course", "c", "--name", "n",
                                   "--facilitator", "f@example.org", "--capacity", "abc"]])
def test_a_word_where_a_number_goes_is_called_what_it_is(runner, args):
    result = run(runner, *args)
    assert result.exit_code == 2, result.output
    assert "'abc' is not a whole number." in result.output
    assert "integer range" not in result.output


@pytest.mark.parametrize("at", ["tomorrow", "2026-13-01T08:00", "9999-01-01T08:00"])
def test_send_due_refuses_a_time_it_can_not_read_as_usage(runner, at):
    result = run(runner, "jobs", "send-due", "--at", at)
    assert result.exit_code == 2, result.output  # not a ValueError's traceback (exit 1)
    assert "Invalid value for '--at'" in result.output


def test_send_due_reads_iso_times_with_or_without_an_offset(runner):
    for at in ("2026-11-30T08:05", "2026-11-30T09:05+01:00", "2026-11-30T08:05Z"):
        result = run(runner, "jobs", "send-due", "--at", at)
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize("starts", ["9999-12-31", "1999-01-01", "tomorrow"])
def test_cohort_start_dates_outside_the_sane_range_are_refused(runner, starts):
    result = run(runner, "cohort", "create", "--course", "engaging-online", "--name", "Spring",
                 "--facilitator", "f@example.org", "--starts", starts)
    assert result.exit_code == 2, result.output


def test_capacity_beyond_what_a_form_takes_is_refused(runner):
    result = run(runner, "cohort", "create", "--course", "engaging-online", "--name", "Spring",
                 "--facilitator", "f@example.org", "--capacity", str(10**20))
    assert result.exit_code == 2, result.output


def test_a_control_character_in_a_course_file_is_reported_with_file_and_line(tmp_path):
    folder = tmp_path / "engaging-online"
    shutil.copytree(DEFAULT_COURSE, folder)
    path = folder / "etivities" / "1-03-time-and-help.md"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = len(lines) - 1  # in the spark, below the front matter
    lines[number - 1] = lines[number - 1].rstrip("\n") + " hidden\x00here\n"
    path.write_text("".join(lines), encoding="utf-8")
    problems = validate_course(folder)
    found = [p for p in problems if p.file.endswith("1-03-time-and-help.md")]
    assert found and found[0].line == number, problems
    assert "U+0000 (NUL)" in found[0].message


@pytest.mark.parametrize("args", [
    ["user", "disable", "not-an-email"],
    ["user", "enable", "not-an-email"],
    ["cohort", "create", "--course", "engaging-online", "--name", "Spring",
     "--facilitator", "not-an-email"],
    ["cohort", "state", "1", "closed", "--as", "not-an-email"],
])
def test_what_is_not_an_email_address_is_a_usage_error_everywhere(runner, args):
    """As `user create --email` answers it (exit 2), whichever command names an account."""
    result = run(runner, *args)
    assert result.exit_code == 2, result.output
    assert "Enter an email address like name@example.org." in result.output
    assert "No account has" not in result.output


@pytest.mark.parametrize("args", [
    ["user", "disable", "nobody@example.org"],
    ["cohort", "create", "--course", "engaging-online", "--name", "Spring",
     "--facilitator", "nobody@example.org"],
])
def test_an_address_nobody_has_is_still_exit_1(runner, course, args):
    result = run(runner, *args)
    assert result.exit_code == 1, result.output
    assert "No account has the email 'nobody@example.org'" in result.output


@pytest.mark.parametrize("args", [
    ["backup", "x\x1b.sqlite"],
    ["restore", "x\x1b.sqlite"],
    ["course", "validate", "modules/x\x1b[31m"],
    ["course", "import", "modules/x\x1b[31m"],
    ["course", "export", "engaging-online", "out\x1b"],
])
def test_a_control_character_in_a_path_is_a_usage_error(runner, tmp_path, monkeypatch, args):
    """No file is made with an escape in its name, and none reaches the terminal."""
    monkeypatch.chdir(tmp_path)
    result = run(runner, *args)
    assert result.exit_code == 2, result.output
    assert "contains a control character, U+001B (ESC)" in result.output
    assert "\x1b" not in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("title", ["  ", "\u200b", "\u3000"])
def test_a_copy_needs_a_title_that_shows(runner, course, title):
    result = run(runner, "course", "duplicate", course.slug, "copy-of-it", "--title", title)
    assert result.exit_code == 2, result.output
    assert "nothing in it that would be seen" in result.output
    assert get_course("copy-of-it") is None


def test_a_copy_given_a_blank_title_keeps_the_original_one(app, course):
    """The service's own rule, for every caller (the designer's form too)."""
    assert duplicate_course(course, "copy-of-it", "\u200b ").title == course.title
    assert duplicate_course(course, "copy-too", " Again\n").title == "Again"
