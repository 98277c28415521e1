"""No dead ends (issue 12): after logging in, staff land on Facilitate and people who only
review land on their reports; each cohort card opens where that person's work is; pages for
staff link on to the dashboard and the facilitate page."""

import re

from conftest import PASSWORD
from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.cohorts.models import MemberRole
from course_app.cohorts.services import add_member
from course_app.extensions import db


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
