"""Running a cohort in the browser: open one, settings and welcome, state, key, invites,
people; who may do it; and the `cohort state` command."""

import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from conftest import Factory, login
from course_app import mail
from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.cohorts.models import Cohort, CohortState, Invite, MemberRole, Membership
from course_app.cohorts.services import add_member, create_invite, membership_of
from course_app.discussions.models import Thread, ThreadKind
from course_app.extensions import db
from course_app.facilitate.models import AuditEntry
from course_app.jobs import queue
from course_app.mail.models import MailboxMessage
from learner_journey import start, text


@pytest.fixture
def as_facilitator(login_as, facilitator):
    login_as(facilitator)
    return facilitator


def audits(cohort=None, action=None) -> list[AuditEntry]:
    query = select(AuditEntry)
    if cohort is not None:
        query = query.where(AuditEntry.cohort_id == cohort.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return db.session.scalars(query).all()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def h1(response) -> str:
    body = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", body[body.index("<h1>") + 4:body.index("</h1>")]).strip()


def title(response) -> str:
    body = response.get_data(as_text=True)
    return body[body.index("<title>") + 7:body.index("</title>")]


def field_error(response, field_id: str) -> str:
    """The error shown beside a field (the macro gives it the id <field>-error)."""
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>',
                      response.get_data(as_text=True), re.S)
    return match.group(1).strip() if match else ""


def value_of(response, field_id: str) -> str | None:
    match = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', response.get_data(as_text=True))
    value = re.search(r'value="([^"]*)"', match.group(0)) if match else None
    return value.group(1) if value else None


def cohort_data(course, **overrides) -> dict:
    data = {"course": str(course.id), "name": "Autumn 2027", "starts_on": "2027-09-06",
            "capacity": "", "silent_days": "5", **{f"release_{n}": "" for n in range(1, 6)}}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


# ---- opening a cohort ------------------------------------------------------------

def test_new_cohort_page_prefills_dates(client, course, as_facilitator):
    response = client.get("/facilitate/cohorts/new")
    assert response.status_code == 200
    assert h1(response) == "Open a new cohort" and title(response).startswith("Open a new cohort")
    page = text(response)
    assert "Home Facilitate Open a new cohort" in page
    assert "Engaging online" in page and "Access and motivation" in page
    starts = date.fromisoformat(value_of(response, "starts_on"))
    assert starts.weekday() == 0 and starts > utcnow().date()
    assert value_of(response, "release_1") == starts.isoformat()
    assert date.fromisoformat(value_of(response, "release_5")) > starts
    assert "Back to Facilitate" in page


def test_new_cohort_page_without_courses_says_what_to_do(client, factory, login_as,
                                                         empty_database):
    login_as(factory.user(Role.FACILITATOR))
    page = text(client.get("/facilitate/cohorts/new"))
    assert "There are no courses to run yet" in page and "course import" in page


def test_open_a_self_paced_cohort(client, course, as_facilitator):
    response = client.post("/facilitate/cohorts/new", data=cohort_data(course, capacity="30"))
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == "Autumn 2027"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/facilitate/cohorts/{cohort.id}"
    assert not cohort.paced and cohort.releases == [] and cohort.capacity == 30
    assert cohort.starts_on == date(2027, 9, 6)
    assert membership_of(cohort.id, as_facilitator.id).role == MemberRole.FACILITATOR
    assert [a.action for a in audits(cohort)] == ["open"]
    page = text(client.get(response.headers["Location"]))
    assert f"Autumn 2027 is open. Give learners its enrolment key, {cohort.enrolment_key}" in page


def test_new_paced_cohort_gets_five_release_dates_and_a_help_thread(client, course,
                                                                    as_facilitator):
    data = cohort_data(course, paced="y", silent_days="3", release_3="2027-10-01")
    assert client.post("/facilitate/cohorts/new", data=data).status_code == 302
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == "Autumn 2027"))
    dates = {r.stage_number: r.opens_on for r in cohort.releases}
    assert sorted(dates) == [1, 2, 3, 4, 5] and cohort.paced
    assert dates[1] == date(2027, 9, 6) and dates[3] == date(2027, 10, 1)
    assert dates[2] <= dates[3] <= dates[4] <= dates[5]
    assert cohort.silent_days == 3
    assert db.session.scalar(select(func.count(Thread.id)).where(
        Thread.cohort_id == cohort.id, Thread.kind == ThreadKind.HELP)) == 1
    assert len(audits(cohort, "open")) == 1


def test_new_cohort_bad_input_keeps_what_was_typed(client, course, as_facilitator):
    data = cohort_data(course, name="  ", capacity="lots", paced="y")
    response = client.post("/facilitate/cohorts/new", data=data)
    assert response.status_code == 400
    assert field_error(response, "name") == "Give the cohort a name."
    assert "whole number" in field_error(response, "capacity")
    assert value_of(response, "capacity") == "lots"
    data = cohort_data(course, paced="y", release_1="2027-09-06", release_2="2027-09-01")
    response = client.post("/facilitate/cohorts/new", data=data)
    assert response.status_code == 400
    assert "must not go backwards" in field_error(response, "release_2")
    assert value_of(response, "name") == "Autumn 2027"
    assert value_of(response, "release_2") == "2027-09-01"
    assert count(Cohort) == 0 and audits() == []


def test_suggest_dates_fills_them_and_stores_nothing(client, course, as_facilitator):
    response = client.post("/facilitate/cohorts/new",
                           data=cohort_data(course, starts_on="2028-01-03", suggest="1"))
    assert response.status_code == 200
    assert value_of(response, "release_1") == "2028-01-03"
    assert "We suggested a release date for each stage" in text(response)
    assert value_of(response, "name") == "Autumn 2027"
    assert count(Cohort) == 0


def test_learner_cannot_open_a_cohort(client, factory, login_as, course, cohort):
    login_as(factory.learner_in(cohort))
    assert client.get("/facilitate/cohorts/new").status_code == 403
    response = client.post("/facilitate/cohorts/new", data=cohort_data(course))
    assert response.status_code == 403
    assert count(Cohort) == 1


# ---- settings --------------------------------------------------------------------

def test_settings_page_is_prefilled(client, cohort, as_facilitator):
    response = client.get(f"/facilitate/cohorts/{cohort.id}/settings")
    assert response.status_code == 200
    assert h1(response) == "Settings for Spring cohort"
    assert "Home Facilitate Spring cohort Settings" in text(response)
    assert value_of(response, "name") == "Spring cohort"
    assert value_of(response, "silent_days") == "5"
    assert value_of(response, "release_1")  # ready for when "Paced" is ticked


def test_settings_change_welcome_and_pacing(client, factory, cohort, as_facilitator):
    data = {"name": "Spring 2027", "starts_on": "2027-03-01", "capacity": "25",
            "silent_days": "4", "paced": "y", "welcome_message": "Welcome, **all**!",
            **{f"release_{n}": f"2027-03-{n * 5:02d}" for n in range(1, 6)}}
    response = client.post(f"/facilitate/cohorts/{cohort.id}/settings", data=data)
    assert response.status_code == 302
    cohort = fresh(Cohort, cohort.id)
    assert cohort.name == "Spring 2027" and cohort.capacity == 25 and cohort.silent_days == 4
    assert cohort.paced and cohort.release_date(4) == date(2027, 3, 20)
    settings, welcome = audits(cohort, "settings"), audits(cohort, "welcome")
    assert len(settings) == 1 and not settings[0].intervention
    assert "the name" in settings[0].summary and "the stage 4 release date" in settings[0].summary
    assert len(welcome) == 1 and welcome[0].intervention
    assert welcome[0].summary == "Changed the welcome message"
    learner = factory.learner_in(cohort)
    client.post("/account/logout")
    login(client, learner)
    assert "<strong>all</strong>" in client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)


def test_changing_only_the_welcome_writes_one_entry(client, cohort, as_facilitator):
    data = {"name": cohort.name, "starts_on": "", "capacity": "", "silent_days": "5",
            "welcome_message": "Hello, everyone."}
    assert client.post(f"/facilitate/cohorts/{cohort.id}/settings", data=data).status_code == 302
    assert [a.action for a in audits(cohort)] == ["welcome"]
    assert fresh(Cohort, cohort.id).welcome_message == "Hello, everyone."


def test_a_cohort_name_is_kept_on_one_line(client, course, cohort, as_facilitator):
    """The name goes into every notification email's subject, where a line break can't go."""
    data = {"name": "Spring\r\n2027\tcohort", "starts_on": "", "capacity": "",
            "silent_days": "5", "welcome_message": ""}
    assert client.post(f"/facilitate/cohorts/{cohort.id}/settings", data=data).status_code == 302
    assert fresh(Cohort, cohort.id).name == "Spring 2027 cohort"
    response = client.post("/facilitate/cohorts/new",
                           data=cohort_data(course, name="Autumn\n2027"))
    assert response.status_code == 302
    assert db.session.scalar(select(Cohort).where(Cohort.name == "Autumn 2027")) is not None


def test_settings_errors_beside_fields(client, factory, cohort, as_facilitator):
    factory.learner_in(cohort)
    factory.learner_in(cohort)
    data = {"name": "Spring cohort", "starts_on": "", "capacity": "1", "silent_days": "5",
            "welcome_message": "Hello there"}
    response = client.post(f"/facilitate/cohorts/{cohort.id}/settings", data=data)
    assert response.status_code == 400
    assert "2 learners are already enrolled" in field_error(response, "capacity")
    assert value_of(response, "capacity") == "1"
    assert "Hello there" in response.get_data(as_text=True)
    data.update(capacity="", paced="y", release_1="2027-01-01")
    response = client.post(f"/facilitate/cohorts/{cohort.id}/settings", data=data)
    assert "missing: stage 2, 3, 4, 5" in field_error(response, "release_2")
    assert fresh(Cohort, cohort.id).capacity is None and audits(cohort) == []


# ---- state and key ---------------------------------------------------------------

def test_start_the_cohort(client, cohort, as_facilitator):
    response = client.post(f"/facilitate/cohorts/{cohort.id}/state", data={"to": "running"})
    assert response.status_code == 302
    assert fresh(Cohort, cohort.id).state == CohortState.RUNNING
    assert len(audits(cohort, "state")) == 1
    page = text(client.get(response.headers["Location"]))
    assert "was open for enrolment and is now running" in page
    assert "Close the cohort" in page and "Start the cohort" not in page


def test_closing_asks_first(client, cohort, as_facilitator):
    url = f"/facilitate/cohorts/{cohort.id}/state"
    response = client.post(url, data={"to": "closed"})
    assert response.status_code == 200
    assert h1(response) == "Close the cohort: are you sure?"
    assert fresh(Cohort, cohort.id).state == CohortState.OPEN and audits(cohort) == []
    response = client.post(url, data={"to": "closed", "confirm": "yes"})
    assert response.status_code == 302
    assert fresh(Cohort, cohort.id).state == CohortState.CLOSED
    assert len(audits(cohort, "state")) == 1
    page = text(client.get(f"/facilitate/cohorts/{cohort.id}"))
    assert "Reopen" in page and "Archive" in page


@pytest.mark.parametrize("to", ["archived", "open", "nonsense", ""])
def test_refused_transitions_change_nothing(client, cohort, as_facilitator, to):
    response = client.post(f"/facilitate/cohorts/{cohort.id}/state",
                           data={"to": to, "confirm": "yes"})
    assert response.status_code == 302
    assert fresh(Cohort, cohort.id).state == CohortState.OPEN and audits(cohort) == []
    page = text(client.get(response.headers["Location"]))
    assert "Nothing was changed" in page or "Choose one of the buttons" in page


def test_new_key_asks_first_then_changes(client, cohort, as_facilitator):
    old = cohort.enrolment_key
    url = f"/facilitate/cohorts/{cohort.id}/key"
    response = client.post(url)
    assert response.status_code == 200 and h1(response) == "Make a new enrolment key?"
    assert fresh(Cohort, cohort.id).enrolment_key == old
    response = client.post(url, data={"confirm": "yes"})
    assert response.status_code == 302
    new = fresh(Cohort, cohort.id).enrolment_key
    assert new != old and len(audits(cohort, "key")) == 1
    assert f"The new enrolment key is {new}" in text(client.get(response.headers["Location"]))


# ---- invites ---------------------------------------------------------------------

def test_invites_page_empty_state(client, cohort, as_facilitator):
    response = client.get(f"/facilitate/cohorts/{cohort.id}/invites")
    assert response.status_code == 200 and h1(response) == "Invitations to Spring cohort"
    page = text(response)
    assert "No invites yet" in page and "Home Facilitate Spring cohort Invitations" in page
    assert "copy and send yourself" in page  # no SMTP in tests


def test_make_a_shareable_link(client, cohort, as_facilitator):
    response = client.post(f"/facilitate/cohorts/{cohort.id}/invites",
                           data={"action": "link", "link-expires_in_days": "14"})
    assert response.status_code == 302
    invite = db.session.scalar(select(Invite))
    assert invite.email is None
    assert timedelta(days=13) < invite.expires_at - utcnow() <= timedelta(days=14)
    assert len(audits(cohort, "invite-link")) == 1
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"http://localhost/invite/{invite.token}" in body
    assert "Anyone with the link" in body


def test_bulk_invite_reports_bad_lines_and_shows_links(client, cohort, as_facilitator):
    pasted = "ana@example.org\nnot-an-email\nben@example.org\nben@example.org\n"
    response = client.post(f"/facilitate/cohorts/{cohort.id}/invites",
                           data={"action": "bulk", "emails": pasted,
                                 "expires_in_days": "7"})
    assert response.status_code == 200
    page = text(response)
    assert h1(response) == "2 invitations made"
    assert "copy each link below" in page
    invites = db.session.scalars(select(Invite).order_by(Invite.id)).all()
    assert [i.email for i in invites] == ["ana@example.org", "ben@example.org"]
    for invite in invites:
        assert f"http://localhost/invite/{invite.token}" in page
    assert "Line 2: “not-an-email”" in page and "Line 4: “ben@example.org”" in page
    assert len(audits(cohort, "invite")) == 1
    assert re.search(r'<textarea[^>]*>\s*not-an-email\nben@example.org</textarea>',
                     response.get_data(as_text=True))


def test_each_invite_link_sits_on_its_own_line_under_the_address(client, cohort,
                                                                  as_facilitator):
    """On a phone a link in a table column of its own wrapped every few letters: on the page
    of invitations made and in "Invitations so far", each link is on a line of its own under who
    it is for, to read and select whole (.invite-url)."""
    create_invite(cohort, as_facilitator, utcnow())
    db.session.commit()
    url = f"/facilitate/cohorts/{cohort.id}/invites"
    made = client.post(url, data={"action": "bulk", "emails": "ana@example.org\nben@example.org",
                                  "expires_in_days": "7"}).get_data(as_text=True)
    anyone, ana, ben = db.session.scalars(select(Invite).order_by(Invite.id)).all()
    links = made.split('id="links"', 1)[1].split("</ul>", 1)[0]
    assert "<table" not in made
    for invite in (ana, ben):
        assert (f'<li>{invite.email}<br><code class="invite-url">'
                f"http://localhost/invite/{invite.token}</code></li>") in links
    so_far = client.get(url).get_data(as_text=True).split('id="so-far"', 1)[1]
    assert '<th scope="col">For, and the link</th>' in so_far and ">Link</th>" not in so_far
    for invite, who in ((ana, ana.email), (ben, ben.email), (anyone, "Anyone with the link")):
        assert (f'<td>{who}<br><code class="invite-url">'
                f"http://localhost/invite/{invite.token}</code></td>") in so_far


def test_bulk_invite_from_a_csv_file(client, cohort, as_facilitator):
    csv = "Name,Email\nAna,ana@example.org\nBen,ben(at)example.org\nCara,cara@example.org\n"
    response = client.post(
        f"/facilitate/cohorts/{cohort.id}/invites", content_type="multipart/form-data",
        data={"action": "bulk", "emails": "", "expires_in_days": "14",
              "csv_file": (io.BytesIO(("\ufeff" + csv).encode()), "people.csv")})
    assert response.status_code == 200, text(response)
    assert sorted(i.email for i in db.session.scalars(select(Invite))) == [
        "ana@example.org", "cara@example.org"]
    assert "Line 3: “Ben”" in text(response) or "Line 3:" in text(response)


def test_bulk_invite_with_only_bad_lines_keeps_the_text(client, cohort, as_facilitator):
    pasted = "nope\nalso nope"
    response = client.post(f"/facilitate/cohorts/{cohort.id}/invites",
                           data={"action": "bulk", "emails": pasted})
    assert response.status_code == 400
    page = text(response)
    assert "Line 1: “nope”" in page and "Line 2: “also nope”" in page
    assert "No invitations were made" in field_error(response, "emails")
    assert "nope\nalso nope</textarea>" in response.get_data(as_text=True)
    assert count(Invite) == 0 and audits() == []


def test_bulk_invite_leaves_out_people_in_the_cohort_and_says_why(client, factory, cohort,
                                                                    as_facilitator):
    """Someone in the cohort already (in any role) gets no invite, nor someone removed (an
    invite can't bring them back: People can); each line is reported by number, in plain
    words, like a line that isn't an address; good lines are invited as before."""
    factory.learner_in(cohort, email="newbie@example.org")
    gone = factory.learner_in(cohort, email="gone@example.org")
    membership_of(cohort.id, gone.id).removed_at = utcnow()
    db.session.commit()
    pasted = (f"ana@example.org\nNewbie@Example.org\ngone@example.org\n{as_facilitator.email}"
              "\na@@b.org\n")
    response = client.post(f"/facilitate/cohorts/{cohort.id}/invites",
                           data={"action": "bulk", "emails": pasted, "expires_in_days": "7"})
    assert response.status_code == 200
    assert [i.email for i in db.session.scalars(select(Invite))] == ["ana@example.org"]
    page = text(response)
    assert "Line 2: “Newbie@Example.org”: already in the cohort (as a learner)" in page
    assert ("Line 3: “gone@example.org”: was removed from the cohort: bring them back from "
            "People instead") in page
    assert (f"Line 4: “{as_facilitator.email}”: already in the cohort (as a facilitator)"
            in page)
    assert "Line 5: “a@@b.org”: not an email address (they look like name@example.org)" in page
    assert "@-sign" not in page  # email_validator's own words never reach the page
    # only the line there is something to fix goes back in the box
    assert re.search(r'<textarea[^>]*>\s*a@@b.org</textarea>', response.get_data(as_text=True))
    assert audits(cohort, "invite")[0].detail == {"emails": ["ana@example.org"]}


def test_bulk_invite_of_only_people_in_the_cohort_makes_none(client, factory, cohort,
                                                             as_facilitator):
    factory.learner_in(cohort, email="newbie@example.org")
    db.session.commit()
    response = client.post(f"/facilitate/cohorts/{cohort.id}/invites",
                           data={"action": "bulk", "emails": "newbie@example.org"})
    assert response.status_code == 400
    assert field_error(response, "emails") == (
        "No invitations were made: everyone listed is in the cohort already, was removed "
        "from it, or has an invite that still works.")
    assert "Line 1: “newbie@example.org”: already in the cohort (as a learner)" in text(response)
    assert count(Invite) == 0 and audits() == []


def test_bulk_invite_of_someone_invited_already_makes_no_second_link(client, cohort,
                                                                     as_facilitator):
    """The same address pasted in two sends gets one working link: the second send reports
    the line like someone in the cohort, and says where the first link is."""
    url = f"/facilitate/cohorts/{cohort.id}/invites"
    client.post(url, data={"action": "bulk", "emails": "new.person@example.org",
                           "expires_in_days": "14"})
    [first] = db.session.scalars(select(Invite)).all()
    response = client.post(url, data={"action": "bulk", "expires_in_days": "14",
                                      "emails": "New.Person@example.org\nana@example.org"})
    assert response.status_code == 200 and h1(response) == "1 invitation made"
    assert [i.email for i in db.session.scalars(select(Invite).order_by(Invite.id))] == [
        "new.person@example.org", "ana@example.org"]
    made, until = (f"{d.day} {d:%b %Y, %H:%M} UTC" for d in (first.created_at, first.expires_at))
    assert (f"Line 1: “New.Person@example.org”: already invited on {made}; that link works "
            f"until {until}: copy it from Invitations so far, or revoke it to send a new one"
            ) in text(response)
    assert re.search(r"<textarea[^>]*>\s*</textarea>", response.get_data(as_text=True))
    # Only that address: nothing made, said so beside the box.
    response = client.post(url, data={"action": "bulk", "emails": "new.person@example.org"})
    assert response.status_code == 400 and count(Invite) == 2
    assert field_error(response, "emails").endswith("or has an invite that still works.")
    # Once its link is revoked, the address can be invited again.
    first.revoked_at = utcnow()
    db.session.commit()
    response = client.post(url, data={"action": "bulk", "emails": "new.person@example.org"})
    assert response.status_code == 200 and count(Invite) == 3
    assert len(audits(cohort, "invite")) == 3


@pytest.mark.parametrize("upload,pasted,words", [
    ((b"\xff\xfe\x00a", "list.csv"), "", "as UTF-8"),
    ((b"a@example.org\n" * 16000, "big.csv"), "", "larger than 200 KB"),
    ((b"a@example.org", "people.xlsx"), "", "Choose a .csv or .txt file"),
    ((b"a@example.org", "people.csv"), "b@example.org", "not both"),
])
def test_bulk_invite_refuses_unusable_files(client, cohort, as_facilitator, upload, pasted,
                                            words):
    content, name = upload
    response = client.post(
        f"/facilitate/cohorts/{cohort.id}/invites", content_type="multipart/form-data",
        data={"action": "bulk", "emails": pasted,
              "csv_file": (io.BytesIO(content), name)})
    assert response.status_code == 400
    assert words in field_error(response, "csv_file")
    assert count(Invite) == 0


def test_bulk_invite_emails_when_mail_is_on(make_app):
    # MAIL_SERVER set (so the page says it emailed), delivered to the mailbox backend here.
    app = make_app(MAIL_SERVER="localhost", MAIL_BACKEND=mail.MAILBOX_BACKEND)
    with app.app_context():
        factory = Factory()
        facilitator = factory.user(Role.FACILITATOR, name="Fran")
        cohort = factory.cohort(facilitator=facilitator, name="Mailed cohort")
        client = app.test_client()
        login(client, facilitator)
        response = client.post(f"/facilitate/cohorts/{cohort.id}/invites",
                               data={"action": "bulk",
                                     "emails": "ana@example.org\nben@example.org"})
        assert response.status_code == 200
        assert "We emailed each person their invite link" in text(response)
        assert queue.run_pending() == 2
        sent = db.session.scalars(select(MailboxMessage).order_by(MailboxMessage.id)).all()
        assert [m.to for m in sent] == ["ana@example.org", "ben@example.org"]
        invite = db.session.scalar(select(Invite).where(Invite.email == "ana@example.org"))
        assert sent[0].subject == "You're invited to join Mailed cohort"
        link = f"http://course.test/invite/{invite.token}"
        assert link in sent[0].text and "Fran invites you" in sent[0].text
        assert f'href="{link}"' in sent[0].html
        assert queue.run_pending() == 0


def test_revoke_asks_first_then_revokes(client, cohort, as_facilitator):
    invite = create_invite(cohort, as_facilitator, utcnow(), email="ana@example.org")
    db.session.commit()
    url = f"/facilitate/cohorts/{cohort.id}/invites/{invite.id}/revoke"
    response = client.post(url)
    assert response.status_code == 200
    assert h1(response) == "Revoke the invite for ana@example.org?"
    assert fresh(Invite, invite.id).revoked_at is None
    response = client.post(url, data={"confirm": "yes"})
    assert response.status_code == 302
    assert fresh(Invite, invite.id).revoked_at is not None
    assert len(audits(cohort, "invite-revoked")) == 1
    page = text(client.get(response.headers["Location"]))
    assert "no longer works" in page and "Revoked" in page
    client.post(url, data={"confirm": "yes"})
    assert len(audits(cohort, "invite-revoked")) == 1


def test_revoke_an_invite_of_another_cohort_is_404(client, factory, cohort, as_facilitator):
    other = factory.cohort(course=cohort.course)
    invite = create_invite(other, None, utcnow())
    db.session.commit()
    response = client.post(f"/facilitate/cohorts/{cohort.id}/invites/{invite.id}/revoke",
                           data={"confirm": "yes"})
    assert response.status_code == 404
    assert fresh(Invite, invite.id).revoked_at is None


# ---- people ----------------------------------------------------------------------

def test_people_page_lists_learners_with_their_stage(client, factory, cohort, as_facilitator):
    learner = factory.learner_in(cohort, name="Ana Learner", email="ana@example.org")
    start(cohort, learner, "introduce-yourself")
    db.session.commit()
    response = client.get(f"/facilitate/cohorts/{cohort.id}/people")
    assert response.status_code == 200 and h1(response) == "People in Spring cohort"
    page = text(response)
    assert "Ana Learner ana@example.org" in page and "Stage 1" in page
    assert "Fran Facilitator" in page and "No reviewers" in page
    assert "Home Facilitate Spring cohort People" in page


def test_people_page_empty_state(client, cohort, as_facilitator):
    page = text(client.get(f"/facilitate/cohorts/{cohort.id}/people"))
    assert "No learners yet" in page and cohort.enrolment_key in page


def test_people_page_paginates_learners(client, factory, cohort, as_facilitator):
    for n in range(51):
        factory.learner_in(cohort, name=f"Learner {n:02d}")
    page = text(client.get(f"/facilitate/cohorts/{cohort.id}/people"))
    assert "Page 1 of 2" in page and "Learner 49" in page and "Learner 50" not in page
    page = text(client.get(f"/facilitate/cohorts/{cohort.id}/people?page=2"))
    assert "Learner 50" in page and "Learner 00" not in page


def test_add_a_reviewer_and_a_co_facilitator(client, factory, cohort, as_facilitator):
    sponsor = factory.user(name="Sam Sponsor", email="sam@example.org")
    colleague = factory.user(Role.FACILITATOR, name="Cleo Colleague")
    url = f"/facilitate/cohorts/{cohort.id}/people"
    form = client.get(url).get_data(as_text=True)
    # Short choices (a closed list shows about 30 characters at 320 px), explained in words.
    assert re.findall(r'<option[^>]*value="(?:facilitator|reviewer)"[^>]*>([^<]*)</option>',
                      form) == ["Co-facilitator", "Reviewer"]
    assert "A co-facilitator runs the cohort with you; a reviewer only reads" in form
    response = client.post(url, data={"email": "SAM@example.org", "role": "reviewer"})
    assert response.status_code == 302
    assert membership_of(cohort.id, sponsor.id).role == MemberRole.REVIEWER
    assert "Sam Sponsor is now a reviewer" in text(client.get(response.headers["Location"]))
    client.post(url, data={"email": colleague.email, "role": "facilitator"})
    assert membership_of(cohort.id, colleague.id).role == MemberRole.FACILITATOR
    assert len(audits(cohort, "staff")) == 2


def test_add_staff_errors_beside_fields(client, cohort, as_facilitator):
    url = f"/facilitate/cohorts/{cohort.id}/people"
    response = client.post(url, data={"email": "nobody@example.org", "role": "reviewer"})
    assert response.status_code == 400
    assert "Nobody has an account with that email" in field_error(response, "email")
    assert value_of(response, "email") == "nobody@example.org"
    assert audits(cohort) == []


def test_add_staff_says_a_bad_email_in_plain_words(client, cohort, as_facilitator):
    response = client.post(f"/facilitate/cohorts/{cohort.id}/people",
                           data={"email": "a@@b.org", "role": "reviewer"})
    assert response.status_code == 400
    assert field_error(response, "email") == "Enter an email address like name@example.org."
    assert value_of(response, "email") == "a@@b.org"


def test_remove_a_learner_asks_first_and_keeps_posts(client, factory, cohort, as_facilitator):
    learner = factory.learner_in(cohort, name="Ana Learner")
    thread = start(cohort, learner, "introduce-yourself")
    db.session.commit()
    membership = membership_of(cohort.id, learner.id)
    url = f"/facilitate/cohorts/{cohort.id}/people/{membership.id}/remove"
    response = client.get(url)
    assert response.status_code == 200
    assert h1(response) == "Remove Ana Learner? Their posts stay."
    assert fresh(Membership, membership.id).removed_at is None
    response = client.post(url)
    assert response.status_code == 302
    assert fresh(Membership, membership.id).removed_at is not None
    assert fresh(Thread, thread.id).posts[0].body
    assert len(audits(cohort, "remove")) == 1
    page = text(client.get(response.headers["Location"]))
    assert "Ana Learner is no longer in Spring cohort" in page
    assert "Removed from the cohort" in page


def test_someone_removed_by_mistake_is_brought_back_as_they_were(client, factory, cohort,
                                                                  as_facilitator):
    learner = factory.learner_in(cohort, name="Ana Learner")
    thread = start(cohort, learner, "introduce-yourself")
    db.session.commit()
    membership = membership_of(cohort.id, learner.id)
    joined = membership.joined_at
    client.post(f"/facilitate/cohorts/{cohort.id}/people/{membership.id}/remove")
    people = client.get(f"/facilitate/cohorts/{cohort.id}/people")
    assert "bring them back under “Removed from the cohort”" in text(people)
    back = f"/facilitate/cohorts/{cohort.id}/people/{membership.id}/bring-back"
    assert f'action="{back}"' in people.get_data(as_text=True)
    assert client.get(back).status_code == 405  # a button, not a link

    response = client.post(back)
    assert response.status_code == 302  # to the top of the people page, where the message is
    assert response.headers["Location"] == f"/facilitate/cohorts/{cohort.id}/people"
    assert fresh(Membership, membership.id).removed_at is None
    assert fresh(Membership, membership.id).joined_at == joined
    assert fresh(Membership, membership.id).role == MemberRole.LEARNER
    assert [a.summary for a in audits(cohort, "bring-back")] == [
        "Brought Ana Learner (learner) back into the cohort"]
    page = text(client.get(response.headers["Location"]))
    assert ("Ana Learner is in Spring cohort again, as a learner, with their posts and progress "
            "as they were.") in page
    assert "Removed from the cohort" not in page
    login(client, learner)
    assert client.get(f"/cohorts/{cohort.id}/threads/{thread.id}?page=1").status_code == 200


def test_the_most_recently_removed_are_on_the_people_page_and_all_a_page_at_a_time(
        client, factory, cohort, as_facilitator, monkeypatch):
    """People removed over a long course: the people page shows the most recent few, and
    "See all" pages through them, each page costing the same queries."""
    from course_app.facilitate.views import people
    from database import counted_get

    monkeypatch.setattr(people, "REMOVED_SHOWN", 2)
    monkeypatch.setattr(people, "REMOVED_PER_PAGE", 3)

    def remove(names, start: int) -> None:
        for n, name in enumerate(names):
            learner = factory.learner_in(cohort, name=name)
            membership_of(cohort.id, learner.id).removed_at = (
                utcnow() - timedelta(hours=100 - start - n))
        db.session.commit()

    remove(["Early Ed", "Middle Mo", "Late Lu", "Last Li"], 0)
    page = text(client.get(f"/facilitate/cohorts/{cohort.id}/people"))
    shown = page.split("Removed from the cohort", 1)[1]
    assert "Last Li" in shown and "Late Lu" in shown and "Middle Mo" not in shown
    assert "See all 4 people removed (the most recent are above)" in shown
    url = f"/facilitate/cohorts/{cohort.id}/people/removed"

    def all_page(**query):
        response, cost = counted_get(client, url, **query)
        assert response.status_code == 200
        return text(response), cost

    first, cost = all_page()
    assert "4 people, the most recently removed first; showing 1–3." in first
    assert first.index("Last Li") < first.index("Late Lu") < first.index("Middle Mo")
    assert "Early Ed" not in first and "Bring back Last Li" in first
    second, _ = all_page(page=2)
    assert "Early Ed" in second and "Middle Mo" not in second
    remove(["Later Ky", "Latest Jo", "Newest Al"], 10)
    assert all_page()[1] == cost


def test_nobody_removed_says_where_removing_is(client, cohort, as_facilitator):
    people = text(client.get(f"/facilitate/cohorts/{cohort.id}/people"))
    assert "Removed from the cohort" not in people
    page = text(client.get(f"/facilitate/cohorts/{cohort.id}/people/removed"))
    assert "Nobody has been removed from Spring cohort." in page
    assert "Back to the people in Spring cohort" in page


def test_bringing_back_keeps_the_cohorts_rules(client, factory, cohort, as_facilitator):
    """Someone already in, a cohort at capacity, a facilitator whose account is now a
    learner's: each is refused with why, and nothing changes."""
    learner, other = factory.learner_in(cohort), factory.learner_in(cohort)
    fran = factory.user(Role.FACILITATOR, name="Former Fran")
    add_member(cohort, fran, MemberRole.FACILITATOR, utcnow())
    for person in (other, fran):
        membership_of(cohort.id, person.id).removed_at = utcnow()
    fran.role = Role.LEARNER
    cohort.capacity = 1
    db.session.commit()

    def bring(person) -> str:
        membership = membership_of(cohort.id, person.id)
        response = client.post(
            f"/facilitate/cohorts/{cohort.id}/people/{membership.id}/bring-back")
        return text(client.get(response.headers["Location"]))

    assert "is already in this cohort. Nobody was brought back." in bring(learner)
    assert "Spring cohort is full (1 learner): give it more places in Settings first." in (
        bring(other))
    assert ("Former Fran has a learner account. Only facilitator or admin accounts can "
            "facilitate; add them as a reviewer instead. Nobody was brought back.") in bring(fran)
    assert fresh(Membership, membership_of(cohort.id, other.id).id).removed_at is not None
    assert fresh(Membership, membership_of(cohort.id, fran.id).id).removed_at is not None
    assert audits(cohort, "bring-back") == []


def test_a_deleted_account_is_never_brought_back(client, factory, cohort, as_facilitator):
    """Deleting an account takes its owner out of every cohort for good (docs/security.md):
    the removed list says so instead of offering "Bring back", and bringing them back (or
    adding the emptied account as staff) is refused with why, and changes nothing."""
    from course_app.facilitate import people
    from course_app.facilitate.errors import FacilitateError
    from course_app.privacy.deletion import anonymise

    gone = factory.learner_in(cohort, name="Zelda Quixote")
    removed = factory.learner_in(cohort, name="Rita Removed")
    membership_of(cohort.id, removed.id).removed_at = utcnow()
    anonymise(gone, utcnow())
    db.session.commit()
    membership = membership_of(cohort.id, gone.id)
    back = f"/facilitate/cohorts/{cohort.id}/people/{membership.id}/bring-back"
    for url in (f"/facilitate/cohorts/{cohort.id}/people/removed",
                f"/facilitate/cohorts/{cohort.id}/people"):
        response = client.get(url)
        page = text(response)
        assert ("A former learner (learner) removed" in page and "They deleted their account, "
                "which took them out of every cohort for good, so they can't be brought back."
                in page), url
        assert f'action="{back}"' not in response.get_data(as_text=True), url
        assert "Bring back Rita Removed" in page, url  # others still can be

    response = client.post(back)
    assert response.status_code == 302
    assert ("That account was deleted by its owner, and a deleted account can't come back "
            "into a cohort. Nobody was brought back.") in text(
        client.get(response.headers["Location"]))
    assert fresh(Membership, membership.id).removed_at is not None
    assert audits(cohort, "bring-back") == []

    # Its address can't receive mail, so the form refuses it; the service refuses it too.
    with pytest.raises(FacilitateError, match="^That account was deleted by its owner"):
        people.add_staff(cohort, as_facilitator, fresh(type(gone), gone.id).email,
                         MemberRole.REVIEWER, utcnow())
    db.session.rollback()
    assert fresh(Membership, membership.id).removed_at is not None
    assert audits(cohort, "staff") == []


def test_removing_yourself_is_refused(client, cohort, as_facilitator):
    membership = membership_of(cohort.id, as_facilitator.id)
    response = client.post(f"/facilitate/cohorts/{cohort.id}/people/{membership.id}/remove")
    assert response.status_code == 302
    assert fresh(Membership, membership.id).removed_at is None
    assert "You can't remove yourself" in text(client.get(response.headers["Location"]))


# ---- access --------------------------------------------------------------------

ROUTES = [
    ("get", "/facilitate/cohorts/{c}"),
    ("get", "/facilitate/cohorts/{c}/settings"),
    ("post", "/facilitate/cohorts/{c}/settings"),
    ("post", "/facilitate/cohorts/{c}/state"),
    ("post", "/facilitate/cohorts/{c}/key"),
    ("get", "/facilitate/cohorts/{c}/invites"),
    ("post", "/facilitate/cohorts/{c}/invites"),
    ("post", "/facilitate/cohorts/{c}/invites/{i}/revoke"),
    ("get", "/facilitate/cohorts/{c}/people"),
    ("post", "/facilitate/cohorts/{c}/people"),
    ("get", "/facilitate/cohorts/{c}/people/{m}/remove"),
    ("post", "/facilitate/cohorts/{c}/people/{m}/remove"),
    ("post", "/facilitate/cohorts/{c}/people/{r}/bring-back"),
]
DATA = {"to": "closed", "confirm": "yes", "name": "Taken over", "silent_days": "5",
        "action": "link", "email": "intruder@example.org", "role": "facilitator"}


def snapshot(cohort_id: int):
    db.session.expire_all()
    cohort = db.session.get(Cohort, cohort_id)
    return (cohort.name, cohort.state, cohort.enrolment_key, count(AuditEntry), count(Invite),
            count(Membership), db.session.scalar(select(func.count(Invite.id)).where(
                Invite.revoked_at.is_not(None))),
            db.session.scalar(select(func.count(Membership.id)).where(
                Membership.removed_at.is_not(None))))


@pytest.mark.parametrize("who,expected", [
    ("anonymous", 302), ("learner", 403), ("reviewer", 403), ("other facilitator", 404),
])
def test_every_route_refuses_outsiders_and_changes_nothing(client, factory, login_as, cohort,
                                                           facilitator, who, expected):
    learner, removed = factory.learner_in(cohort), factory.learner_in(cohort)
    membership_of(cohort.id, removed.id).removed_at = utcnow()
    invite = create_invite(cohort, facilitator, utcnow())
    db.session.commit()
    ids = {"c": cohort.id, "i": invite.id, "m": membership_of(cohort.id, learner.id).id,
           "r": membership_of(cohort.id, removed.id).id}
    if who == "learner":
        login_as(learner)
    elif who == "reviewer":
        reviewer = factory.user(Role.FACILITATOR)
        add_member(cohort, reviewer, MemberRole.REVIEWER, utcnow())
        db.session.commit()
        login_as(reviewer)
    elif who == "other facilitator":
        other = factory.user(Role.FACILITATOR)
        factory.cohort(course=cohort.course, facilitator=other)
        login_as(other)
    before = snapshot(cohort.id)
    for method, pattern in ROUTES:
        url = pattern.format(**ids)
        response = getattr(client, method)(url, data=DATA if method == "post" else None)
        assert response.status_code == expected, (method, url)
        if who == "anonymous":
            assert "/account/login" in response.headers["Location"]
        assert snapshot(cohort.id) == before, (method, url)


def test_admin_may_run_any_cohort(client, factory, login_as, cohort):
    login_as(factory.user(Role.ADMIN))
    assert client.get(f"/facilitate/cohorts/{cohort.id}/people").status_code == 200
    response = client.post(f"/facilitate/cohorts/{cohort.id}/state", data={"to": "running"})
    assert response.status_code == 302
    assert fresh(Cohort, cohort.id).state == CohortState.RUNNING


# ---- the command line ------------------------------------------------------------

def test_cli_cohort_state(runner, cohort, facilitator):
    result = runner.invoke(args=["cohort", "state", str(cohort.id), "running",
                                 "--as", facilitator.email])
    assert result.exit_code == 0, result.output
    assert "open for enrolment → running" in result.output
    assert fresh(Cohort, cohort.id).state == CohortState.RUNNING
    assert audits(cohort, "state")[0].actor_id == facilitator.id


def test_cli_cohort_state_refused_transition_exits_1(runner, cohort, facilitator):
    result = runner.invoke(args=["cohort", "state", str(cohort.id), "archived",
                                 "--as", facilitator.email])
    assert result.exit_code == 1
    assert "can't become archived" in result.output and "running, closed" in result.output
    assert fresh(Cohort, cohort.id).state == CohortState.OPEN and audits(cohort) == []


def test_cli_cohort_state_needs_a_facilitator_of_the_cohort(runner, factory, cohort):
    stranger = factory.user(Role.FACILITATOR)
    result = runner.invoke(args=["cohort", "state", str(cohort.id), "running",
                                 "--as", stranger.email])
    assert result.exit_code == 1 and "doesn't facilitate" in result.output
    admin = factory.user(Role.ADMIN)
    result = runner.invoke(args=["cohort", "state", str(cohort.id), "running",
                                 "--as", admin.email])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["cohort", "state", "999999", "running", "--as", admin.email])
    assert result.exit_code == 1 and "No cohort 999999" in result.output
