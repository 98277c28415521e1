"""GET /api/v1/cohorts/<id>/progress: who may read it, and what it says."""

import html
from datetime import datetime, timedelta

import pytest

from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.cohorts.services import membership_of
from course_app.discussions import services as discussions
from course_app.extensions import db
from learner_journey import finish_stage_1


def url(cohort) -> str:
    return f"/api/v1/cohorts/{cohort.id}/progress"


def _reviewer(factory, cohort):
    return factory.reviewer_in(cohort)


def _removed(factory, cohort):
    user = factory.learner_in(cohort)
    membership_of(cohort.id, user.id).removed_at = utcnow()
    db.session.commit()
    return user


WHO = {
    "facilitator": (lambda factory, cohort: cohort.memberships[0].user, 200),
    "admin": (lambda factory, cohort: factory.user(Role.ADMIN), 200),
    "reviewer": (_reviewer, 200),
    "learner": (lambda factory, cohort: factory.learner_in(cohort), 403),
    "removed learner": (_removed, 404),
    "outsider": (lambda factory, cohort: factory.user(), 404),
    "facilitator of another cohort": (
        lambda factory, cohort: factory.cohort(cohort.course).memberships[0].user, 404),
}


@pytest.mark.parametrize("who", WHO)
def test_access_matrix(client, factory, login_as, cohort, who):
    make, status = WHO[who]
    login_as(make(factory, cohort))
    response = client.get(url(cohort))
    assert response.status_code == status
    assert response.is_json
    if status != 200:
        assert set(response.get_json()) == {"error", "detail"}


NO_COHORT = ("No cohort here that you can read: check the cohort's id, and that your token is "
             "right and not revoked.")
LEARNERS_CANT = "Learners can't read their cohort's progress report: it shows everyone's."


@pytest.mark.parametrize("who", WHO)
def test_a_refusal_says_what_went_wrong_in_the_apis_words(client, factory, login_as, cohort,
                                                          who):
    """Not the pages' "We can't find that page": a script's author reads these. Everyone
    refused with a 404 reads the same words, so cohorts don't reveal each other."""
    make, status = WHO[who]
    login_as(make(factory, cohort))
    answer = client.get(url(cohort)).get_json()
    if status == 404:
        assert answer["detail"] == NO_COHORT
    elif status == 403:
        assert answer["detail"] == LEARNERS_CANT
    for path in ("/api/v1/cohorts/999999/progress", "/api/v1/cohorts/nope/progress"):
        assert client.get(path).get_json()["detail"] == NO_COHORT


def test_the_pages_keep_their_own_words(client, factory, login_as, cohort):
    login_as(factory.learner_in(cohort))
    assert "We can't find that page" in html.unescape(
        client.get("/no-such-page").get_data(as_text=True))
    refused = html.unescape(client.get(f"/reports/cohorts/{cohort.id}").get_data(as_text=True))
    assert "You can't open this page" in refused and LEARNERS_CANT not in refused


def test_anonymous_gets_json_404_not_a_login_redirect(client, cohort):
    response = client.get(url(cohort))
    assert response.status_code == 404
    assert response.is_json
    assert "error" in response.get_json()


def test_unknown_cohort_is_json_404(client, factory, login_as):
    login_as(factory.user(Role.ADMIN))
    response = client.get("/api/v1/cohorts/999999/progress")
    assert response.status_code == 404 and response.is_json


def test_learner_of_cohort_a_gets_404_for_cohort_b(client, factory, login_as):
    course = factory.course()
    a, b = factory.cohort(course), factory.cohort(course)
    login_as(factory.learner_in(a))
    assert client.get(url(a)).status_code == 403
    assert client.get(url(b)).status_code == 404


def test_report_shape(client, factory, login_as, cohort):
    learner = factory.learner_in(cohort, name="Ana Learner")
    factory.learner_in(cohort, name="Ben Learner")
    before = utcnow()
    login_as(cohort.memberships[0].user)
    response = client.get(url(cohort))
    data = response.get_json()
    assert response.headers["Cache-Control"] == "private, no-store"
    assert data["cohort"] == {"id": cohort.id, "name": cohort.name, "course": "engaging-online"}
    assert datetime.fromisoformat(data["generated_at"]) >= before - timedelta(seconds=1)
    assert [p["name"] for p in data["learners"]] == ["Ana Learner", "Ben Learner"]
    ana = data["learners"][0]
    assert set(data) == {"cohort", "generated_at", "summary", "learners"}
    assert data["summary"] == {"enrolled": 2, "active_this_week": 0,
                               "reached": {"1": 2, "2": 0, "3": 0, "4": 0, "5": 0},
                               "completed": 0, "at_risk": 0}
    assert set(ana) == {"id", "name", "email", "current_stage", "level", "completed_course",
                        "at_risk", "last_activity_at", "etivities"}
    assert ana["id"] == learner.id and ana["email"] == learner.email
    assert ana["current_stage"] == 1 and ana["last_activity_at"] is None
    assert (ana["level"], ana["completed_course"], ana["at_risk"]) == ("observer", False, [])
    slugs = [e["slug"] for e in ana["etivities"]]
    assert slugs == [e.slug for e in cohort.course.active_etivities]
    first = ana["etivities"][1]
    assert first == {
        "slug": "introduce-yourself", "stage": 1, "title": "Introduce yourself", "required": True,
        "state": "open", "by_hand": False, "observe": 0, "interact": 0, "initiate": 0,
        "rule": {"observe": 0, "interact": 1, "initiate": 1},
    }
    assert {e["state"] for e in ana["etivities"] if e["stage"] > 1} == {"locked"}


def test_report_counts_what_learners_did(client, factory, login_as, cohort):
    learner, peer = factory.learner_in(cohort, name="A"), factory.learner_in(cohort, name="B")
    facilitator = cohort.memberships[0].user
    theirs = finish_stage_1(cohort, learner, peer)
    # A second reply to the same peer, and one to the facilitator, don't add peers.
    discussions.reply(theirs, learner, "And another thing.", utcnow())
    example = discussions.start_thread(cohort, cohort.course.etivities_in(2)[0], facilitator,
                                       "Facilitator's example", "Mine", utcnow())
    discussions.reply(example, learner, "Thanks!", utcnow())
    discussions.mark_shown(theirs, learner, list(theirs.posts), utcnow())
    db.session.commit()
    login_as(facilitator)
    data = client.get(url(cohort)).get_json()
    a = next(p for p in data["learners"] if p["id"] == learner.id)
    by_slug = {e["slug"]: e for e in a["etivities"]}
    intro = by_slug["introduce-yourself"]
    assert (intro["state"], intro["observe"], intro["interact"], intro["initiate"]) == (
        "complete", 1, 1, 1)
    assert by_slug["time-and-help"]["state"] == "complete"
    assert by_slug["something-of-your-own"]["state"] == "open"
    assert by_slug["something-of-your-own"]["interact"] == 0
    assert a["current_stage"] == 2
    assert datetime.fromisoformat(a["last_activity_at"]).tzinfo is not None
    b = next(p for p in data["learners"] if p["id"] == peer.id)
    assert b["current_stage"] == 1
    assert facilitator.id not in {p["id"] for p in data["learners"]}


def test_report_leaves_out_removed_learners(client, factory, login_as, cohort):
    stays = factory.learner_in(cohort)
    _removed(factory, cohort)
    login_as(cohort.memberships[0].user)
    data = client.get(url(cohort)).get_json()
    assert [p["id"] for p in data["learners"]] == [stays.id]


def test_report_of_an_empty_cohort(client, factory, login_as, cohort):
    login_as(cohort.memberships[0].user)
    data = client.get(url(cohort)).get_json()
    assert data["learners"] == []
