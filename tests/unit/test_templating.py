"""Template helpers: registered in one place (course_app.templating), one macro for a state."""

from datetime import date

import pytest
from flask import render_template_string

from course_app import templating
from course_app.progress.rules import Counts, EtivityState
from course_app.rendering import long_date, short_date


def test_every_helper_is_registered(app):
    for name in templating.FILTERS:
        assert name in app.jinja_env.filters, name
    for name in templating.GLOBALS:
        assert name in app.jinja_env.globals, name


def test_date_filters():
    assert long_date(date(2027, 1, 12)) == "12 January 2027"
    assert short_date(date(2027, 2, 3)) == "Wed 3 Feb"
    assert long_date(None) == short_date(None) == ""


def test_filters_render(app):
    with app.test_request_context():
        out = render_template_string(
            "{{ day|long_date }} / {{ day|short_date }} / {{ rule|describe_left(done) }}",
            day=date(2027, 1, 12), rule=Counts(observe=2), done=Counts(observe=1))
    assert out == "12 January 2027 / Tue 12 Jan / read 1 more peer’s post"


@pytest.mark.parametrize("state, by_hand, mark", [
    ("locked", False, "⊘"), ("open", False, "→"), ("complete", False, "✓"),
    (EtivityState.COMPLETE, False, "✓"), (EtivityState.COMPLETE, True, "✓*"),
])
def test_one_macro_marks_a_state(app, state, by_hand, mark):
    source = ('{% from "_macros/state.html" import state_mark, state_icon %}'
              "[{{ state_mark(state, by_hand) }}]{{ state_icon(state) }}")
    with app.test_request_context():
        out = render_template_string(source, state=state, by_hand=by_hand)
    assert out == f'[{mark}]<span class="icon" aria-hidden="true">{mark.rstrip("*")}</span>'
