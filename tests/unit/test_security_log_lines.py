"""The security log's lines: one per event, escaped, never a secret."""

import logging

import pytest

from course_app import security_log


@pytest.fixture
def lines(caplog):
    caplog.set_level(logging.INFO, logger="course_app.security")
    return lambda: [r.getMessage() for r in caplog.records if r.name == "course_app.security"]


def test_a_line_says_who_what_when_and_which_cohort(lines):
    security_log.record("export", user=7, cohort_id=3, format="csv")
    [line] = lines()
    assert line.startswith("at=")
    assert " event=export user=7 cohort=3 " in line + " "
    assert "format=csv" in line


def test_newlines_and_quotes_cannot_forge_a_line(lines):
    security_log.warning("login.failed", email='x@y.org\nat=2026 event=login user=1 "')
    [line] = lines()
    assert "\n" not in line
    assert 'email="x@y.org\\nat=2026 event=login user=1 \\""' in line


def test_control_characters_are_escaped_and_long_values_cut(lines):
    security_log.record("login.failed", email="a\x1b[31mred\u2028" + "z" * 500)
    [line] = lines()
    assert "\x1b" not in line and "\u2028" not in line
    assert "\\u001b" in line and "\\u2028" in line
    assert len(line) < 400


@pytest.mark.parametrize("name", ["password", "token", "session", "cookie", "secret",
                                  "new_password", "csrf_token", "key"])
def test_secrets_are_refused_by_name(name):
    with pytest.raises(ValueError):
        security_log.record("oops", **{name: "hunter2"})


def test_refusals_are_warnings(caplog):
    caplog.set_level(logging.INFO, logger="course_app.security")
    security_log.warning("access.refused")
    assert caplog.records[-1].levelno == logging.WARNING
