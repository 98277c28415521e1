"""The test infrastructure itself: what a test commits is gone afterwards, the default course
stays, and a rollback inside a test returns to its last commit (SQLite and PostgreSQL alike);
the factories build through the app's services."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

import database
import factories
from course_app.auth.models import User
from course_app.cohorts.models import MemberRole
from course_app.courses.models import Course
from course_app.extensions import db
from course_app.progress.models import Activity

NEWCOMER = "newcomer.rollback@example.org"
PASSPHRASE = "a perfectly decent passphrase"


def register(client, email: str = NEWCOMER):
    response = client.post("/account/register", data={
        "email": email, "name": "New Comer", "password": PASSPHRASE, "confirm": PASSPHRASE})
    assert response.status_code == 302, response.get_data(as_text=True)


def users_called(email: str) -> int:
    return db.session.scalar(select(func.count(User.id)).where(User.email == email))


def courses() -> int:
    return db.session.scalar(select(func.count(Course.id)))


def test_what_a_view_commits_inside_a_test_transaction_is_undone_after(base_app):
    with base_app.app_context():
        engine = db.engine
    with database.rolled_back(engine), base_app.app_context():
        register(base_app.test_client())
        assert users_called(NEWCOMER) == 1
    with base_app.app_context():
        assert users_called(NEWCOMER) == 0
        assert courses() == 1


# The pair below runs in this order on one worker (conftest.ONE_WORKER_PER_MODULE): the first
# commits through a view, and the second must not see it. (Run alone, the second passes either
# way; the test above doesn't.)

def test_a_view_commits_a_new_account(client):
    register(client)
    assert users_called(NEWCOMER) == 1


def test_the_next_test_does_not_see_it(app):
    assert users_called(NEWCOMER) == 0
    assert courses() == 1


def test_a_rollback_returns_to_the_last_commit_not_the_start_of_the_test(factory):
    kept = factory.user(email="kept@example.org")
    db.session.add(User(email="kept@example.org", name="Twin", password_hash="x"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert users_called("kept@example.org") == 1
    assert db.session.get(User, kept.id).name == kept.name


def test_an_emptied_database_is_refilled_by_the_course_factory(empty_database):
    assert courses() == 0
    assert factories.CourseFactory().slug == "engaging-online"
    assert courses() == 1


def test_shared_rows_are_made_once_and_each_test_on_top_of_them_is_undone(base_app):
    with base_app.app_context():
        engine = db.engine
    builds = []

    def build():
        with base_app.app_context():
            builds.append(factories.UserFactory(email="shared@example.org").id)
        return "made"

    try:
        for _ in range(2):
            with database.rolled_back(engine, ("users", build)) as made, base_app.app_context():
                assert made == "made"
                assert users_called("shared@example.org") == 1
                assert users_called(NEWCOMER) == 0
                register(base_app.test_client())
                assert users_called(NEWCOMER) == 1
    finally:
        database.close_shared()
    assert len(builds) == 1
    with base_app.app_context():
        assert users_called("shared@example.org") == users_called(NEWCOMER) == 0


def test_factories_build_through_the_services(app):
    facilitator = factories.FacilitatorFactory(name="Fran")
    assert facilitator.check_password(factories.PASSWORD)  # hashed by create_user
    cohort = factories.CohortFactory(facilitator=facilitator)
    assert cohort.enrolment_key  # drawn by create_cohort
    assert [(m.user, m.role) for m in cohort.memberships] == [(facilitator, MemberRole.FACILITATOR)]
    ana = factories.MembershipFactory(cohort=cohort).user
    thread = factories.ThreadFactory(cohort=cohort, author=ana)
    reply = factories.ReplyFactory(thread=thread, author=facilitator)
    assert [p.author for p in thread.posts] == [ana, facilitator]
    assert reply.parent_id == thread.posts[0].id
    assert db.session.scalar(select(func.count(Activity.id)).where(Activity.user_id == ana.id))
