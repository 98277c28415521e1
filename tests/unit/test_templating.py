"""Template helpers: registered in one place (course_app.templating), one macro for a state."""

import io
import re
import tokenize
from datetime import date, datetime
from pathlib import Path

import pytest
from flask import render_template_string

from course_app import templating
from course_app.progress.rules import Counts, EtivityState
from course_app.rendering import (
    day_month,
    exact_time,
    excerpt,
    long_date,
    plural,
    short_date,
)


def test_every_helper_is_registered(app):
    for name in templating.FILTERS:
        assert name in app.jinja_env.filters, name
    for name in templating.GLOBALS:
        assert name in app.jinja_env.globals, name


def test_date_filters():
    assert long_date(date(2027, 1, 12)) == "12 January 2027"
    assert short_date(date(2027, 2, 3)) == "Wed 3 Feb"
    assert long_date(None) == short_date(None) == day_month(None) == ""


def test_one_way_to_write_a_day_a_moment_and_a_count():
    """No leading zeros, a datetime's day as its date's: what notices, emails and pages say."""
    assert long_date(datetime(2027, 1, 5, 23, 59)) == long_date(date(2027, 1, 5)) == \
        "5 January 2027"
    assert day_month(date(2026, 11, 1)) == "1 November"
    assert exact_time(datetime(2027, 1, 5, 9, 3)) == "5 Jan 2027, 09:03 UTC"
    assert (plural(1, "reply", "replies"), plural(0, "reply", "replies"),
            plural(2, "peer’s post", "peers’ posts")) == ("1 reply", "0 replies", "2 peers’ posts")


def test_a_list_in_words():
    from course_app.rendering import listed

    assert [listed([]), listed(["replies"]), listed(["replies", "messages"]),
            listed(["replies", "messages", "stage openings"])] == [
        "", "replies", "replies and messages", "replies, messages and stage openings"]


def test_templates_count_in_words_with_the_plural_filter(app):
    """"{{ n }} {{ 'reply' if n == 1 else 'replies' }}" is written once, as a filter."""
    with app.test_request_context():
        assert render_template_string("{{ 1|plural('reply', 'replies') }}, "
                                      "{{ 3|plural('reply', 'replies') }}") == "1 reply, 3 replies"
    by_hand = re.compile(r"\{\{ ([\w.|\[\]]+) \}\} \{\{ ['\"][^'\"]+['\"] if \1 == 1 else")
    templates = Path(__file__).resolve().parents[2] / "templates"
    found = [f"{path.relative_to(templates)}: {m[0]}" for path in templates.rglob("*.html")
             for m in by_hand.finditer(path.read_text())]
    assert found == []


def test_the_code_counts_in_words_with_plural_too():
    """Messages, flashes and commands say "1 change", "2 changes" through rendering.plural,
    not an "s" glued on by hand (which wrote "read 1 posts" and "expires in 1 days"), nor
    "job(s)"."""
    glued = re.compile(r"""\{['"]s['"] if |['"]s['"] if \w[\w.()]* != 1""")
    code = Path(__file__).resolve().parents[2] / "course_app"
    found = [f"{path.relative_to(code)}: {line.strip()}" for path in code.rglob("*.py")
             for line in path.read_text().splitlines() if glued.search(line)]
    # "job(s)" in what the code says (its strings; `stage_spec(s)` is a call, not words).
    maybe = re.compile(r"[a-z]\(s\)")
    found += [f"{path.relative_to(code)}: {token.string.strip()}" for path in code.rglob("*.py")
              for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
              if token.type == tokenize.STRING and maybe.search(token.string)]
    assert found == []


def test_an_excerpt_shows_what_the_reader_sees_not_the_markdown(app):
    assert excerpt("**Bold** and _slanted_, a [link](https://example.org).") == (
        "Bold and slanted, a link.")
    long = "word " * 60
    cut = excerpt(long, 40)
    assert cut.endswith("word…") and len(cut) <= 40  # cut at a word
    # Typed HTML shows as the text it is on the page, so the excerpt says it too, and the
    # template escapes it like any other text.
    assert excerpt("Tom & <b>Jerry</b>") == "Tom & <b>Jerry</b>"
    with app.test_request_context():
        assert render_template_string("{{ t|excerpt(40) }}", t="A & <script>x</script> **c**") \
            == "A &amp; &lt;script&gt;x&lt;/script&gt; c"
    templates = Path(__file__).resolve().parents[2] / "templates"
    found = [str(path.relative_to(templates)) for path in templates.rglob("*.html")
             if "|truncate" in path.read_text()]
    assert found == []  # shortened text is Markdown here (posts, purposes): use |excerpt


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


def test_every_form_with_fields_leaves_the_checking_to_the_server():
    """`novalidate` on each form that has fields: the browser's own bubbles (for a number
    field's min, say) would stop the form before the server's error summary and message
    beside the field, which say more and which screen readers announce."""
    import re
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "templates"
    fields = re.compile(r"field\(|<textarea|<select|<input(?![^>]*type=\"hidden\")")
    missing = []
    for path in sorted(templates.rglob("*.html")):
        for form in re.finditer(r"(<form\b[^>]*>)(.*?)</form>", path.read_text(), re.S):
            if fields.search(form.group(2)) and "novalidate" not in form.group(1):
                missing.append(f"{path.relative_to(templates)}: {form.group(1)[:80]}")
    assert not missing, "forms without novalidate:\n" + "\n".join(missing)


def test_hidden_words_in_a_name_do_not_start_with_a_colon():
    """Words only screen readers get (`visually-hidden`) join a button's or link's name with a
    space before them in Chromium, so ": the title" reads "Down : the title". Phrase them to
    follow with a space ("Down one place: …", "Open “…”") instead."""
    import re
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "templates"
    found = [f"{path.relative_to(templates)}: {match.group(0)}"
             for path in sorted(templates.rglob("*.html"))
             for match in re.finditer(r'class="visually-hidden">[:;]', path.read_text())]
    assert not found, "\n".join(found)
