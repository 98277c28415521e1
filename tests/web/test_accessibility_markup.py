"""The accessible markup the shared frame promises (issue 12), checked without a browser:
the app's name in every title, "Error: " before the title of a form with errors, GOV.UK's
error summary and messages, a menu that needs no script, tables that scroll in a labelled,
focusable box, and <time> values HTML accepts. tests/browser/test_accessibility.py checks
the same pages with axe-core and the Nu HTML checker."""

import html
import re
from datetime import UTC, datetime

from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from course_app.rendering import time_tag
from course_app.templating import APP_NAME


def body(response) -> str:
    return response.get_data(as_text=True)


def title(response) -> str:
    return html.unescape(re.search(r"<title>(.*?)</title>", body(response), re.S).group(1))


# ---- titles --------------------------------------------------------------------------------

def test_every_title_ends_with_the_apps_name(client):
    assert title(client.get("/account/login")) == f"Log in – {APP_NAME}"
    assert title(client.get("/no-such-page")) == f"We can't find that page – {APP_NAME}"


def test_a_form_with_errors_puts_error_before_the_title(client):
    response = client.post("/account/register", data={"email": "not an address", "name": "Ann"})
    assert response.status_code == 400
    assert title(response) == f"Error: Create an account – {APP_NAME}"


def test_form_has_errors_finds_forms_in_lists_and_dicts(app):
    class Form(FlaskForm):
        name = StringField("Name", validators=[DataRequired("Enter a name.")])

    source = "{{ form_has_errors() }}"
    with app.test_request_context(method="POST", data={}):
        bad = Form()
        bad.validate()
        fine = Form(formdata=None)
        assert render_template_string(source, form=fine) == "False"
        assert render_template_string(source, form=bad) == "True"
        assert render_template_string(source, forms=[fine, bad]) == "True"
        assert render_template_string(source, forms={"a": bad}) == "True"


# ---- GOV.UK's error pattern ------------------------------------------------------------------

def test_error_summary_links_to_each_field_and_fields_say_error(client):
    response = client.post("/account/register", data={
        "email": "not an address", "name": "Ann Typed", "password": "", "confirm": ""})
    page = body(response)
    start = page.index('class="error-summary"')
    summary = page[start:page.index("</ul>", start)]
    assert '<div class="error-summary" tabindex="-1" data-error-summary>' in page
    assert "There is a problem" in summary
    links = re.findall(r'<a href="#(\w+)">', summary)
    assert links[:2] == ["email", "password"]  # in the form's order
    # Beside the field: "Error:" for screen readers, the message, the field marked invalid.
    assert '<span class="visually-hidden" id="email-error-prefix">Error:</span>' in page
    email_input = re.search(r'<input[^>]*id="email"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in email_input
    assert 'aria-describedby="email-error-prefix email-error"' in email_input
    assert 'value="not an address"' in email_input  # what was typed stays
    assert 'value="Ann Typed"' in page
    assert '<div class="field has-error">' in page


def test_no_summary_and_no_error_marks_on_a_fresh_form(client):
    page = body(client.get("/account/register"))
    assert 'class="error-summary"' not in page and "aria-invalid" not in page
    assert "Error:" not in page


def test_the_summary_script_is_a_file_not_inline(client):
    """The Content-Security-Policy forbids inline scripts: every <script> has a src."""
    page = body(client.get("/account/login"))
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts and all("src=" in tag for tag in scripts)
    assert any("js/error-summary.js" in tag for tag in scripts)
    assert client.get("/static/js/error-summary.js").status_code == 200


def test_a_required_select_whose_first_choice_is_real_drops_required(app):
    class Form(FlaskForm):
        class Meta:
            csrf = False
        picked = SelectField("Course", choices=[SelectChoice("a", "A"), SelectChoice("b", "B")],
                             validators=[DataRequired()])
        open_choice = SelectField(
            "Template", choices=[SelectChoice("", "Choose one"), SelectChoice("b", "B")],
            validators=[DataRequired()])

    source = ('{% from "_macros/form.html" import field %}'
              "{{ field(form.picked) }}{{ field(form.open_choice) }}")
    with app.test_request_context():
        out = render_template_string(source, form=Form(formdata=None))
    picked = re.search(r'<select[^>]*id="picked"[^>]*>', out).group(0)
    open_choice = re.search(r'<select[^>]*id="open_choice"[^>]*>', out).group(0)
    assert "required" not in picked
    assert "required" in open_choice  # its empty first choice makes "required" mean something


# ---- the frame -------------------------------------------------------------------------------

def test_header_names_the_app_and_its_menu_needs_no_script(client):
    page = body(client.get("/"))
    header = page[page.index('<header class="site-header">'):page.index("</header>")]
    assert f'<span class="brand-name">{APP_NAME}</span>' in header
    assert 'alt=""' in header  # the logo mark is decoration: the name says it
    menu = header[header.index('<details class="menu">'):]
    assert '<summary class="menu-toggle">Menu</summary>' in menu
    assert 'href="/account/login"' in menu and 'href="/account/register"' in menu


def test_scroll_table_is_a_labelled_focusable_group(app):
    source = ('{% from "_macros/table.html" import scroll_table %}'
              '{% call scroll_table("Stage 2: your e-tivities") %}<table></table>{% endcall %}')
    with app.test_request_context():
        out = render_template_string(source)
    box = re.search(r'<div class="table-wrap scroll-box"[^>]*>', out).group(0)
    assert 'role="group"' in box and 'tabindex="0"' in box  # a group: not a landmark
    assert 'aria-label="Stage 2: your e-tivities"' in box
    assert "<table></table>" in out and "scroll-hint" in out


def test_time_values_stop_at_seconds():
    """HTML's datetime allows at most three fractional digits; Python writes six."""
    tag = time_tag(datetime(2027, 1, 12, 9, 30, 5, 123456, tzinfo=UTC))
    assert 'datetime="2027-01-12T09:30:05+00:00"' in tag
    assert time_tag(datetime(2027, 1, 12, 9, 30, 5, 123456)).count("+00:00") == 1  # naive = UTC


def test_progress_tables_scroll_in_labelled_boxes(client, factory, login_as):
    """The locked stages' tables too: every stage's table can be reached by keyboard."""
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    login_as(learner)
    page = body(client.get(f"/cohorts/{cohort.id}/progress"))
    regions = re.findall(r'<div class="table-wrap scroll-box" role="group" tabindex="0" '
                         r'aria-label="Stage (\d): what you have done in each e-tivity">', page)
    assert regions == ["1", "2", "3", "4", "5"]
