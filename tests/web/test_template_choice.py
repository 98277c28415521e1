"""Starting from a template, without JavaScript (issue 12, WCAG 3.2.2): the list changes
nothing by itself; "Use this template" brings the form back with the template's text and
everything else as typed; "Undo" puts back what was there; a post that is still only the
template is not sent without a word."""

import html
import re

from sqlalchemy import select

from course_app.discussions.models import Thread
from course_app.extensions import db
from course_app.facilitate.messages import TEMPLATES


def page_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def textarea(page: str, field_id: str) -> str:
    return page.split(f'id="{field_id}"', 1)[1].split(">", 1)[1].split("</textarea>")[0].strip()


def hidden(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page, re.S)
    return match.group(1) if match else ""


def undo_shown(page: str) -> bool:
    button = re.search(r'<button[^>]*value="undo-template"[^>]*>', page).group(0)
    return " hidden" not in button


def tips(cohort) -> str:
    etivity = next(e for e in cohort.course.etivities if e.slug == "time-and-help")
    return next(p["body"] for p in etivity.pieces if p["name"] == "Tips")


def url(cohort) -> str:
    return f"/cohorts/{cohort.id}/e/time-and-help"


# ---- a learner's post ----------------------------------------------------------------------

def test_the_list_is_inside_the_form_and_changes_nothing(client, factory, login_as):
    cohort = factory.cohort()
    login_as(factory.learner_in(cohort))
    page = page_of(client.get(url(cohort)))
    form = page.split('<section id="start"')[1].split("</form>")[0]
    assert 'id="template-choice"' in form and ">Tips</option>" in form
    assert 'value="use-template"' in form and not undo_shown(form)
    assert textarea(page, "body") == ""
    # Enter in the title presses a copy of "Start the conversation", ahead of the template's.
    assert form.index('class="enter-sends"') < form.index('value="use-template"')


def test_use_this_template_keeps_the_title_and_offers_undo(client, factory, login_as):
    cohort = factory.cohort()
    login_as(factory.learner_in(cohort))
    response = client.post(url(cohort), data={
        "action": "use-template", "template": "Tips", "title": "My times",
        "body": "What I had typed"})
    assert response.status_code == 200
    page = page_of(response)
    assert textarea(page, "body") == tips(cohort).strip()
    assert re.search(r'<input[^>]*id="title"[^>]*value="My times"', page)
    assert hidden(page, "piece") == "Tips" and hidden(page, "undo_body") == "What I had typed"
    assert undo_shown(page)
    assert "The “Tips” template is in your post now." in page
    assert db.session.scalar(select(Thread.id)) is None  # nothing stored

    response = client.post(url(cohort), data={
        "action": "undo-template", "template": "Tips", "title": "My times",
        "body": tips(cohort), "piece": "Tips", "undo_body": "What I had typed"})
    page = page_of(response)
    assert textarea(page, "body") == "What I had typed"
    assert hidden(page, "piece") == "" and not undo_shown(page)
    assert "back as you had written it" in page


def test_use_this_template_with_nothing_chosen_says_so_beside_the_list(client, factory,
                                                                     login_as):
    cohort = factory.cohort()
    login_as(factory.learner_in(cohort))
    response = client.post(url(cohort), data={
        "action": "use-template", "template": "", "title": "Mine", "body": "Typed"})
    assert response.status_code == 400
    page = page_of(response)
    assert '<a href="#template-choice">Choose a template from the list' in page
    assert textarea(page, "body") == "Typed"


def test_a_post_that_is_only_the_template_asks_first(client, factory, login_as):
    cohort = factory.cohort()
    login_as(factory.learner_in(cohort))
    sent = {"title": "My times", "body": tips(cohort).replace("\n", "\r\n") + "  ",
            "piece": "Tips"}
    response = client.post(url(cohort), data=sent)
    assert response.status_code == 400
    page = page_of(response)
    assert "Your post is still the “Tips” template" in page
    assert '<a href="#body">Your post is still' in page  # in the summary, linked to the box
    assert 'name="send_anyway"' in page
    assert db.session.scalar(select(Thread.id)) is None

    response = client.post(url(cohort), data={**sent, "send_anyway": "y"})
    assert response.status_code == 302
    assert db.session.scalar(select(Thread.piece)) == "Tips"


def test_a_filled_in_template_is_sent_at_once(client, factory, login_as):
    cohort = factory.cohort()
    login_as(factory.learner_in(cohort))
    response = client.post(url(cohort), data={
        "title": "My times", "body": tips(cohort) + "\nTuesdays at nine.", "piece": "Tips"})
    assert response.status_code == 302
    assert "send_anyway" not in page_of(client.get(url(cohort)))


# ---- a facilitator's nudge -----------------------------------------------------------------

def test_nudge_template_is_used_and_undone_without_sending(client, factory, login_as):
    cohort = factory.cohort()
    dev = factory.learner_in(cohort, name="Dev")
    login_as(cohort.memberships[0].user)
    base = {"who": f"learner:{dev.id}", "stage": "", "recipients": str(dev.id),
            "text": "Hello Dev, a note of mine"}
    response = client.post(f"/facilitate/cohorts/{cohort.id}/nudge",
                           data={**base, "action": "use-template", "template": "2"})
    assert response.status_code == 200
    page = page_of(response)
    assert textarea(page, "text") == TEMPLATES[1][1]
    assert hidden(page, "undo_text") == "Hello Dev, a note of mine"
    assert hidden(page, "template_used") == "2" and undo_shown(page)
    assert "Sent to" not in page

    response = client.post(f"/facilitate/cohorts/{cohort.id}/nudge", data={
        **base, "text": TEMPLATES[1][1], "template_used": "2",
        "undo_text": "Hello Dev, a note of mine", "action": "undo-template"})
    page = page_of(response)
    assert textarea(page, "text") == "Hello Dev, a note of mine"
    assert hidden(page, "template_used") == "" and not undo_shown(page)


def test_nudge_page_has_no_template_form_of_its_own(client, factory, login_as):
    """The list sits in the message's form, so choosing never loses the message."""
    cohort = factory.cohort()
    dev = factory.learner_in(cohort)
    login_as(cohort.memberships[0].user)
    page = page_of(client.get(f"/facilitate/cohorts/{cohort.id}/nudge?learner={dev.id}"))
    message = page.split('<section id="message"')[1]
    assert message.count("<form") == 1
    assert message.index('id="template-choice"') < message.index("</form>")
