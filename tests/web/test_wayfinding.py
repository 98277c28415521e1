"""No dead ends (issue 12): after logging in, staff land on Facilitate and people who only
review land on their reports; each cohort card opens where that person's work is, and a
learner's card says where they are and what is next; pages for staff link on to the
dashboard and the facilitate page."""

import re
from datetime import date, timedelta

from sqlalchemy import select

from conftest import PASSWORD
from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.cohorts.models import CohortState, MemberRole
from course_app.cohorts.services import add_member
from course_app.extensions import db
from course_app.progress.models import Completion
from course_app.rendering import long_date
from learner_journey import finish_stage_1, text


def log_in(client, user, **query):
    client.post("/account/logout")
    return client.post("/account/login", query_string=query,
                       data={"email": user.email, "password": PASSWORD})


def landing(client, user, **query) -> str:
    """Where someone ends up after logging in, following the redirects."""
    response = log_in(client, user, **query)
    while response.status_code == 302:
        location = response.headers["Location"]
        response = client.get(location)
    assert response.status_code == 200
    return location


def test_a_facilitator_lands_on_facilitate_then_finds_home_as_usual(client, factory):
    cohort = factory.cohort()
    facilitator = cohort.memberships[0].user
    assert landing(client, facilitator) == "/facilitate/"
    home = client.get("/")
    assert home.status_code == 200  # only right after logging in
    assert f'<h3><a href="/facilitate/cohorts/{cohort.id}">' in home.get_data(as_text=True)


def test_an_admin_lands_on_facilitate(client, factory):
    assert landing(client, factory.user(Role.ADMIN)) == "/facilitate/"


def test_a_reviewer_of_one_cohort_lands_on_its_dashboard(client, factory):
    cohort = factory.cohort()
    sponsor = factory.user(name="Sam Sponsor")
    add_member(cohort, sponsor, MemberRole.REVIEWER, utcnow())
    db.session.commit()
    assert landing(client, sponsor) == f"/reports/cohorts/{cohort.id}"
    second = factory.cohort()
    add_member(second, sponsor, MemberRole.REVIEWER, utcnow())
    db.session.commit()
    assert landing(client, sponsor) == "/reports/"


def test_learners_land_home_and_a_next_page_wins(client, factory):
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    assert landing(client, learner) == "/"
    facilitator = cohort.memberships[0].user
    assert landing(client, facilitator, next="/account/profile") == "/account/profile"
    assert client.get("/").status_code == 200  # the flag was never set


def test_the_flag_lasts_one_request(client, factory):
    facilitator = factory.cohort().memberships[0].user
    log_in(client, facilitator)
    assert client.get("/account/profile").status_code == 200
    assert client.get("/").status_code == 200


def test_each_card_opens_where_the_work_is(client, factory, login_as):
    course = factory.course()
    learning, facilitating, reviewing = (factory.cohort(course, name=n)
                                         for n in ("Learning", "Facilitating", "Reviewing"))
    person = factory.user(name="Pat")
    add_member(learning, person, MemberRole.LEARNER, utcnow())
    add_member(facilitating, person, MemberRole.FACILITATOR, utcnow())
    add_member(reviewing, person, MemberRole.REVIEWER, utcnow())
    db.session.commit()
    login_as(person)
    page = client.get("/").get_data(as_text=True)
    cards = dict(re.findall(r'<h3><a href="([^"]+)">([^<]+)</a></h3>', page)[:3])
    assert cards == {f"/cohorts/{learning.id}": "Learning",
                     f"/facilitate/cohorts/{facilitating.id}": "Facilitating",
                     f"/reports/cohorts/{reviewing.id}": "Reviewing"}


def test_the_map_tells_staff_where_to_go(client, factory, login_as):
    cohort = factory.cohort()
    login_as(cohort.memberships[0].user)
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    note = page.split('<div class="note">')[1].split("</div>")[0]
    assert f'href="/facilitate/cohorts/{cohort.id}"' in note
    assert f'href="/reports/cohorts/{cohort.id}"' in note
    progress = client.get(f"/cohorts/{cohort.id}/progress").get_data(as_text=True)
    assert f'href="/reports/cohorts/{cohort.id}"' in progress
    assert f'href="/facilitate/cohorts/{cohort.id}"' in progress


def test_a_reviewer_sees_the_dashboard_link_but_not_facilitate(client, factory, login_as):
    cohort = factory.cohort()
    sponsor = factory.user()
    add_member(cohort, sponsor, MemberRole.REVIEWER, utcnow())
    db.session.commit()
    login_as(sponsor)
    note = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True).split(
        '<div class="note">')[1].split("</div>")[0]
    assert f'href="/reports/cohorts/{cohort.id}"' in note
    assert "/facilitate/" not in note


def test_reports_link_onwards(client, factory, login_as):
    cohort = factory.cohort()
    lina = factory.learner_in(cohort, name="Lina")
    login_as(cohort.memberships[0].user)
    dashboard = client.get(f"/reports/cohorts/{cohort.id}").get_data(as_text=True)
    assert f'href="/reports/courses/{cohort.course.slug}/compare"' in dashboard
    report = client.get(f"/reports/cohorts/{cohort.id}/learners/{lina.id}").get_data(as_text=True)
    assert f'href="/facilitate/cohorts/{cohort.id}/nudge?learner={lina.id}">Nudge Lina' in report
    etivity = client.get(f"/reports/cohorts/{cohort.id}/e/introduce-yourself").get_data(
        as_text=True)
    assert f'href="/facilitate/cohorts/{cohort.id}/e/introduce-yourself/reading"' in etivity


def card(client, cohort) -> str:
    """The text of a cohort's card on the home page."""
    page = client.get("/").get_data(as_text=True)
    chunk = page.split(f'<h3><a href="/cohorts/{cohort.id}">', 1)[1].split("</li>\n", 1)[0]
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", chunk)).strip()
    return re.sub(r" ([.,])", r"\1", words)  # "stage 1: Access</strong>." reads as it shows


def test_a_learners_card_says_where_they_are_and_what_is_next(client, factory, login_as):
    cohort = factory.cohort()
    learner, peer = factory.learner_in(cohort), factory.learner_in(cohort)
    login_as(learner)
    assert "You are in stage 1: Access and motivation." in card(client, cohort)
    assert "Next: Welcome: find your way around — read 1 post." in card(client, cohort)
    page = client.get("/").get_data(as_text=True)
    assert f'<a href="/cohorts/{cohort.id}/e/welcome">' in page

    finish_stage_1(cohort, learner, peer)
    db.session.commit()
    words = card(client, cohort)
    assert "You are in stage 2: Online socialisation." in words
    assert "Next: Share something of your own — reply to 2 different peers" in words


def test_a_learner_waiting_for_a_date_is_told_when(client, factory, login_as):
    starts = date.today() + timedelta(days=10)
    cohort = factory.cohort(paced=True, starts_on=starts)
    login_as(factory.learner_in(cohort))
    words = card(client, cohort)
    assert f"Nothing to do right now. Stage 1 opens on {long_date(starts)}." in words
    assert "Next:" not in words


def test_a_learner_who_did_everything_is_told_so(client, factory, login_as):
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    for e in cohort.course.active_etivities:
        db.session.add(Completion(cohort_id=cohort.id, user_id=learner.id, etivity_id=e.id,
                                  completed_at=utcnow()))
    db.session.commit()
    login_as(learner)
    words = card(client, cohort)
    assert "You have finished every e-tivity." in words
    assert "Next:" not in words and "Nothing to do" not in words


def test_a_closed_cohorts_card_says_it_can_still_be_read(client, factory, login_as):
    cohort = factory.cohort()
    learner = factory.learner_in(cohort)
    cohort.state = CohortState.CLOSED
    db.session.commit()
    login_as(learner)
    words = card(client, cohort)
    assert "This cohort has closed: you can still read everything in it." in words
    assert "Next:" not in words and "You are in" not in words


def test_staff_cards_have_no_standing_of_their_own(client, factory, login_as):
    cohort = factory.cohort()
    login_as(cohort.memberships[0].user)
    assert "You are in" not in text(client.get("/"))


def test_the_addresses_people_guess_lead_to_the_pages(client):
    login = client.get("/login?next=/cohorts/1")
    assert login.status_code == 302 and login.location == "/account/login?next=/cohorts/1"
    for guess in ("/register", "/signup"):
        assert client.get(guess).location == "/account/register"
    for odd in ("endpoint=x", "_method=DELETE", "_scheme=https", "_external=1"):
        for guess in ("/login", "/register", "/signup"):
            response = client.get(f"{guess}?{odd}")
            assert response.status_code == 302, (guess, odd)
            assert response.location.startswith("/account/"), (guess, odd)


def test_a_course_is_on_offer_once_a_cohort_of_it_opens(client, factory, login_as):
    """A course made in the designer is being written: not on the home page, and its page is
    for those who may design it; a cohort of it puts it on offer for everyone."""
    from course_app.design.services import create_course

    admin = factory.user(Role.ADMIN)
    half = create_course("half-built", "Half built", "Not ready.", "Nobody yet", admin, utcnow())
    db.session.commit()

    def listed() -> bool:
        return 'href="/courses/half-built"' in client.get("/").get_data(as_text=True)

    assert client.get("/courses/half-built").status_code == 404 and not listed()
    login_as(factory.user())
    assert client.get("/courses/half-built").status_code == 404 and not listed()
    login_as(admin)
    assert client.get("/courses/half-built").status_code == 200  # its author reads it
    factory.cohort(half)
    db.session.commit()
    client.post("/account/logout")
    assert client.get("/courses/half-built").status_code == 200 and listed()


def test_with_no_course_on_offer_the_home_page_says_what_happens_next(client, factory,
                                                                      login_as):
    from course_app.courses.models import Course

    for course in db.session.scalars(select(Course)).all():
        db.session.delete(course)
    db.session.commit()
    assert "your facilitator will give you an enrolment key" in text(client.get("/"))
    login_as(factory.user(Role.FACILITATOR))
    assert client.get("/").status_code == 302  # staff land on Facilitate, then home as usual
    page = client.get("/").get_data(as_text=True)
    assert 'href="/facilitate/cohorts/new"' in page and 'href="/design/"' in page
