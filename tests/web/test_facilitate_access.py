"""Every facilitator route, walked as everyone who must be refused: anonymous, a learner of
the cohort, a facilitator of another cohort, and a reviewer of the cohort. Each request is
refused, and nothing in the database changes.

The routes are read from the app's URL map, so a new facilitator route is covered the day it
is added."""

import hashlib

import pytest
from sqlalchemy import select

from course_app.auth.models import Role
from course_app.clock import utcnow
from course_app.cohorts.models import MemberRole
from course_app.cohorts.services import add_member, create_invite, membership_of
from course_app.discussions import services as discussions
from course_app.extensions import db


def snapshot() -> str:
    """A fingerprint of every row of every table."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        digest.update(f"{table.name}:{rows!r}".encode())
    return digest.hexdigest()


@pytest.fixture
def world(factory):
    cohort = factory.cohort()
    facilitator = next(m.user for m in cohort.memberships if m.role == MemberRole.FACILITATOR)
    learner = factory.learner_in(cohort)
    peer = factory.learner_in(cohort)
    reviewer = factory.user(Role.LEARNER)
    add_member(cohort, reviewer, MemberRole.REVIEWER, utcnow())
    other_cohort = factory.cohort()
    outsider = next(m.user for m in other_cohort.memberships
                    if m.role == MemberRole.FACILITATOR)
    etivity = next(e for e in cohort.course.etivities if e.slug == "introduce-yourself")
    thread = discussions.start_thread(cohort, etivity, peer, "Hello", "Hi all", utcnow())
    reply = discussions.reply(thread, learner, "Welcome", utcnow())
    invite = create_invite(cohort, facilitator, utcnow())
    db.session.commit()
    ids = {
        "cohort_id": cohort.id, "post_id": reply.id, "thread_id": thread.id,
        "invite_id": invite.id, "membership_id": membership_of(cohort.id, peer.id).id,
        "slug": etivity.slug, "kind": "unanswered", "which": "opened",
    }
    # Form data that would make each action succeed if the check were missing.
    data = {
        "reason": "test", "to": "closed", "state": "closed", "target": "closed",
        "pinned": "1", "locked": "1", "name": "Renamed", "text": "Hi {name}", "body": "Body",
        "title": "Title", "group": "all", "emails": "new@example.org", "email": reviewer.email,
        "role": "facilitator", "cited": [str(thread.posts[0].id), str(reply.id)],
        "stage": "2", "stage_number": "2", "learner": str(learner.id), "user_id": str(learner.id),
        "etivity": str(etivity.id), "etivity_id": str(etivity.id), "action": "open-stage",
        "confirm": "y", "silent_days": "3", "capacity": "10", "expires_in_days": "7",
        "course": str(cohort.course_id), "paced": "", "welcome_message": "Hello",
    }
    return {"cohort": cohort, "ids": ids, "data": data, "people": {
        "anonymous": None, "learner": learner, "other facilitator": outsider,
        "reviewer": reviewer}}


def facilitator_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("facilitate.") and "cohort_id" in rule.arguments:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


REFUSED = {
    "anonymous": {302, 401, 403, 404},
    "learner": {403, 404},
    "other facilitator": {403, 404},
    "reviewer": {403},
}


@pytest.mark.parametrize("who", list(REFUSED))
def test_every_facilitator_action_is_refused(app, client, login_as, world, who):
    person = world["people"][who]
    if person is not None:
        login_as(person)
    else:
        client.post("/account/logout")
    routes = list(facilitator_routes(app))
    assert len(routes) >= 15, "expected the facilitator routes to be registered"
    before = snapshot()
    for rule, method in routes:
        url = rule.build({k: world["ids"][k] for k in rule.arguments}, append_unknown=False)[1]
        response = client.open(url, method=method, data=world["data"])
        status = response.status_code
        assert status in REFUSED[who], f"{who} {method} {url} got {status}"
        if status == 302:
            assert "/account/login" in response.headers["Location"], (who, method, url)
        db.session.rollback()
        assert snapshot() == before, f"{who} {method} {url} changed the database"


def test_facilitator_home_refuses_learners_and_anonymous(client, login_as, world):
    assert client.get("/facilitate/").status_code == 302
    login_as(world["people"]["learner"])
    assert client.get("/facilitate/").status_code == 403


def test_the_same_requests_do_change_things_for_the_cohort_facilitator(app, client, login_as,
                                                                       world):
    """The control: the data sent above is enough to act, so the refusals are real."""
    facilitator = next(m.user for m in world["cohort"].memberships
                       if m.role == MemberRole.FACILITATOR)
    login_as(facilitator)
    changed = []
    for rule, method in facilitator_routes(app):
        if method != "POST":
            continue
        before = snapshot()
        url = rule.build({k: world["ids"][k] for k in rule.arguments}, append_unknown=False)[1]
        client.open(url, method=method, data=world["data"])
        db.session.rollback()
        if snapshot() != before:
            changed.append(rule.endpoint)
    assert len(changed) >= 8, changed
