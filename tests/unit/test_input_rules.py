"""The rules for what comes in (course_app/text.py, course_app/inputs.py): control
characters, invisible text, ids and page numbers the database can hold, dates."""

from datetime import date

import pytest
from werkzeug.exceptions import NotFound

from course_app import inputs, text
from course_app.discussions import services
from course_app.discussions.services import PostError
from course_app.redirects import local_path


@pytest.mark.parametrize("value", ["", " ", "\u200b", "\u200b\u200c\u200d", "\u2060\ufeff",
                                   " \u00a0\u3000\t\n", "\u3164", "\u2800\u2800", "\u0301",
                                   "\u200e\u200f", "\U000e0041"])
def test_text_with_nothing_visible_is_blank(value):
    assert text.is_blank(value)


@pytest.mark.parametrize("value", ["a", " x ", "\u200bhi", "日本", "🙂", "-", "0", "ß"])
def test_text_with_something_visible_is_not_blank(value):
    assert not text.is_blank(value)


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85",
                                  "\x9f"])
def test_control_characters_are_found_in_any_text(char):
    assert text.first_control(f"a{char}b", multiline=True) == char
    assert "can't be stored" in text.control_problem(f"a{char}b")


def test_tab_and_line_breaks_are_text_only_in_multiline_text():
    assert text.first_control("one\ttwo\r\nthree", multiline=True) is None
    assert text.first_control("one\ttwo") == "\t"
    assert text.describe("\x00") == "U+0000 (NUL)"
    assert text.without_controls("a\x00b\nc") == "ab\nc"


@pytest.mark.parametrize("raw, expected", [
    ("Eve\r\nBcc: someone@evil.example", "Eve Bcc: someone@evil.example"),
    ("  Ana \n\n  Lima\t", "Ana Lima"), ("a\tb", "a b"), ("a\x00\x1bb", "a b"),
    ("a\u2028b\u2029c\x85d", "a b c d"), ("two  spaces", "two  spaces"), ("\r\n", ""),
])
def test_names_and_titles_are_folded_onto_one_line(raw, expected):
    """A name goes into email subjects, where a line break can't go; people paste names."""
    assert text.one_line(raw) == expected


def test_a_conversation_title_is_one_line():
    assert services.check_title("Week one:\r\nwhat we heard") == "Week one: what we heard"


@pytest.mark.parametrize("raw, expected", [
    ("1", 1), ("2147483647", 2**31 - 1), (7, 7),
    ("0", None), ("-1", None), ("2147483648", None), (str(2**63), None), ("1e3", None),
    ("", None), (None, None), ("١٢", None), (True, None), ("9" * 5000, None),
])
def test_as_id_takes_only_ids_the_database_can_hold(raw, expected):
    assert inputs.as_id(raw) == expected


@pytest.mark.parametrize("query, expected", [
    ("", 1), ("page=3", 3), ("page=0", 1), ("page=-4", 1), ("page=abc", 1), ("page=", 1),
    ("page=100000", 100_000),
])
def test_page_arg(app, query, expected):
    with app.test_request_context(f"/?{query}"):
        assert inputs.page_arg() == expected


@pytest.mark.parametrize("query", ["page=100001", f"page={2**31}", f"page={10**20}",
                                   "page=" + "9" * 5000])
def test_a_page_no_list_could_have_is_not_found(app, query):
    with app.test_request_context(f"/?{query}"), pytest.raises(NotFound):
        inputs.page_arg()


def test_page_arg_can_default_to_none(app):
    with app.test_request_context("/"):
        assert inputs.page_arg(default=None) is None


@pytest.mark.parametrize("day, ok", [(date(2000, 1, 1), True), (date(2100, 12, 31), True),
                                     (date(1999, 12, 31), False), (date(9999, 12, 31), False),
                                     (None, True)])
def test_dates_in_a_sane_range(day, ok):
    assert (inputs.date_problem(day) is None) is ok


def test_the_int_converter_refuses_ids_beyond_the_database(app):
    adapter = app.url_map.bind("localhost")
    assert adapter.match("/cohorts/2147483647")[1] == {"cohort_id": 2**31 - 1}
    for too_big in (2**31, 2**63, 10**20):
        with pytest.raises(NotFound):
            adapter.match(f"/cohorts/{too_big}")
    with app.test_request_context():  # building a URL is unchanged
        from flask import url_for

        assert url_for("learner.map", cohort_id=5) == "/cohorts/5"


def test_a_redirect_target_with_a_tab_is_refused():
    """Browsers drop tabs, so "/\\t/evil" would be "//evil" (see redirects.local_path)."""
    assert local_path("/\t/evil.example") is None


def test_a_post_and_a_title_may_be_exactly_as_long_as_the_limit():
    assert services.check_body("x" * services.BODY_MAX) == "x" * services.BODY_MAX
    assert services.check_title("t" * services.TITLE_MAX) == "t" * services.TITLE_MAX
    with pytest.raises(PostError):
        services.check_body("x" * (services.BODY_MAX + 1))
    with pytest.raises(PostError):
        services.check_title("t" * (services.TITLE_MAX + 1))
