"""GOV.UK's error pattern on every form (issue 12): one summary at the top linking to each
problem, all problems at once, and a refusal before "are you sure?", never after it."""

import html
import re

from sqlalchemy import select

from course_app.auth.models import Role, User
from course_app.clock import utcnow
from course_app.discussions import services as discussions
from course_app.extensions import db
from course_app.progress.overrides import mark_complete_by_hand

SUMMARY = re.compile(r'<div class="error-summary"[^>]*>(.*?)</ul>', re.S)


def page_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def summary_links(response) -> list[tuple[str, str]]:
    """(href, text) of each link in the page's one error summary."""
    page = page_of(response)
    found = SUMMARY.findall(page)
    assert len(found) == 1, "one error summary on the page"
    return [(href, re.sub(r"\s+", " ", words).strip())
            for href, words in re.findall(r'<a href="([^"]+)">(.*?)</a>', found[0], re.S)]


def title(response) -> str:
    return page_of(response).split("<title>")[1].split("</title>")[0]


# ---- registration and passwords: every problem at once ------------------------------------

def test_registration_shows_a_weak_password_with_the_other_problems(client):
    response = client.post("/account/register", data={
        "email": "not an address", "name": "Ann", "password": "short", "confirm": "other"})
    assert response.status_code == 400
    links = summary_links(response)
    assert [href for href, _ in links] == ["#email", "#password", "#confirm"]
    assert "at least 8 characters" in links[1][1]
    assert title(response).startswith("Error: ")


def test_registration_says_an_account_exists_alongside_a_common_password(client, factory):
    taken = factory.user(email="taken@example.org")
    response = client.post("/account/register", data={
        "email": taken.email, "name": "Ann", "password": "password", "confirm": "password"})
    links = dict(summary_links(response))
    assert "already exists" in links["#email"]
    assert "most common" in links["#password"]
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 1


def test_registration_refuses_the_email_as_password_in_the_form(client):
    response = client.post("/account/register", data={
        "email": "ann.long@example.org", "name": "Ann", "password": "ann.long@example.org",
        "confirm": "ann.long@example.org"})
    assert response.status_code == 400
    assert "email address" in dict(summary_links(response))["#password"]


def test_changing_password_shows_a_wrong_current_and_a_weak_new_one_together(
        client, factory, login_as):
    user = factory.user()
    login_as(user)
    response = client.post("/account/password", data={
        "current_password": "not it", "new_password": "short", "confirm": "short"})
    assert response.status_code == 400
    hrefs = [href for href, _ in summary_links(response)]
    assert hrefs == ["#current_password", "#new_password"]


# ---- facilitators' forms ------------------------------------------------------------------

def test_invites_summary_lists_each_line_that_failed(client, factory, login_as):
    cohort = factory.cohort()
    login_as(cohort.memberships[0].user)
    response = client.post(f"/facilitate/cohorts/{cohort.id}/invites", data={
        "emails": "not an email\nalso wrong", "expires_in_days": "14"})
    assert response.status_code == 400
    links = summary_links(response)
    assert links[0][0] == "#emails" and "No invitations were made" in links[0][1]
    assert links[1][0] == "#emails" and links[1][1].startswith("Line 1: “not an email”: ")
    assert links[2][0] == "#emails" and links[2][1].startswith("Line 2: “also wrong”: ")
    assert title(response).startswith("Error: ")


def test_invites_summary_names_the_link_forms_field(client, factory, login_as):
    cohort = factory.cohort()
    login_as(cohort.memberships[0].user)
    response = client.post(f"/facilitate/cohorts/{cohort.id}/invites", data={
        "action": "link", "link-expires_in_days": "0"})
    assert response.status_code == 400
    assert summary_links(response) == [("#link-expires_in_days",
                                        "Enter a number of days from 1 to 365.")]


def test_invites_summary_stops_at_ten_lines(client, factory, login_as):
    cohort = factory.cohort()
    login_as(cohort.memberships[0].user)
    response = client.post(f"/facilitate/cohorts/{cohort.id}/invites", data={
        "emails": "\n".join(f"bad {n}" for n in range(1, 15)), "expires_in_days": "14"})
    links = summary_links(response)
    assert len(links) == 12  # the form's own message, ten lines, "and 4 more"
    assert links[-1] == ("#bulk-problems", "And 4 more lines: see the list above the box.")


def test_audit_filter_says_an_unknown_action_was_left_out(client, factory, login_as):
    cohort = factory.cohort()
    login_as(cohort.memberships[0].user)
    response = client.get(f"/facilitate/cohorts/{cohort.id}/audit?action=no-such-thing")
    assert response.status_code == 200
    assert summary_links(response) == [("#action",
                                        "That action isn't on the list, so it was left out.")]


def test_weave_without_a_citation_links_to_the_first_box(client, factory, login_as):
    cohort = factory.cohort()
    ana = factory.learner_in(cohort)
    etivity = next(e for e in cohort.course.etivities if e.slug == "introduce-yourself")
    thread = discussions.start_thread(cohort, etivity, ana, "Hello", "Hi all.", utcnow())
    db.session.commit()
    login_as(cohort.memberships[0].user)
    response = client.post(f"/facilitate/cohorts/{cohort.id}/e/introduce-yourself/weave",
                           data={"title": "What we heard", "body": "A summary."})
    assert response.status_code == 400
    [(href, _words)] = summary_links(response)
    assert href == f"#cite_{thread.posts[0].id}"
    assert f'id="cite_{thread.posts[0].id}"' in page_of(response)


def test_marking_complete_what_is_complete_answers_before_asking(client, factory, login_as):
    cohort = factory.cohort()
    ana = factory.learner_in(cohort, name="Ana")
    facilitator = cohort.memberships[0].user
    etivity = next(e for e in cohort.course.etivities if e.slug == "introduce-yourself")
    mark_complete_by_hand(cohort, ana.id, etivity.id, facilitator.id, utcnow())
    db.session.commit()
    login_as(facilitator)
    response = client.post(f"/facilitate/cohorts/{cohort.id}/overrides", data={
        "which": "complete", "complete-learner": str(ana.id),
        "complete-etivity": str(etivity.id)})  # no confirm: the first press
    assert response.status_code == 400
    page = page_of(response)
    assert "Are you sure" not in page and "Yes, mark it complete" not in page
    [(href, words)] = summary_links(response)
    assert href == "#complete-etivity"
    assert words == f"Ana has already completed “{etivity.title}”: there is nothing to mark."


def test_marking_complete_still_asks_first_when_it_can_be_done(client, factory, login_as):
    cohort = factory.cohort()
    ana = factory.learner_in(cohort, name="Ana")
    etivity = next(e for e in cohort.course.etivities if e.slug == "introduce-yourself")
    login_as(db.session.scalar(select(User).where(User.role == Role.FACILITATOR)))
    response = client.post(f"/facilitate/cohorts/{cohort.id}/overrides", data={
        "which": "complete", "complete-learner": str(ana.id),
        "complete-etivity": str(etivity.id)})
    assert response.status_code == 200
    assert "Yes, mark it complete" in page_of(response)


def fields_in_page_order(response, names) -> list[str]:
    """The ids of `names` in the order their fields stand on the page."""
    page = page_of(response)
    return sorted(names, key=lambda name: page.index(f'id="{name}"'))


def test_the_summary_lists_a_cohorts_settings_in_the_pages_order(client, factory, login_as):
    """The summary follows the form's declared fields; the page draws them in that order
    (the welcome message after the pacing, on the settings page)."""
    from course_app.facilitate.forms import SettingsForm

    cohort = factory.cohort()
    login_as(cohort.memberships[0].user)
    response = client.post(f"/facilitate/cohorts/{cohort.id}/settings", data={
        "name": "", "silent_days": "5", "release_1": "2027-02-30",
        "welcome_message": "w" * 5001})
    assert response.status_code == 400
    assert [href for href, _ in summary_links(response)] == [
        "#name", "#release_1", "#welcome_message"]
    declared = [f.name for f in SettingsForm(meta={"csrf": False}) if f.type != "CSRFTokenField"]
    assert fields_in_page_order(response, declared) == declared


def test_the_email_choices_stand_in_the_forms_order(client, factory, login_as):
    from course_app.mailings.forms import PreferencesForm

    login_as(factory.user(Role.FACILITATOR))
    response = client.get("/email")
    declared = [f.name for f in PreferencesForm(meta={"csrf": False})
                if f.type != "CSRFTokenField"]
    assert fields_in_page_order(response, declared) == declared
