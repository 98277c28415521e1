"""factory_boy factories for the rows tests build most: people, cohorts, memberships, threads.

Each one builds its row through the app's own service (create_user hashes the password,
create_cohort draws the enrolment key, start_thread posts the opening post and records its
evidence), so a factory-made row is what a user's action would have made. Each commits, as the
code under test does before the next request; inside a test that only releases a savepoint
(see database.py), so nothing outlives the test.

    UserFactory(name="Ana")                  a learner account
    FacilitatorFactory(), AdminFactory()     staff accounts
    CohortFactory(paced=True)                on the default course, with its own facilitator
    MembershipFactory(cohort=c, role=...)    someone joins a cohort (a learner by default)
    ThreadFactory(cohort=c, author=u)        a conversation piece in the cohort's first e-tivity
    ReplyFactory(thread=t, author=u)         a reply to its opening post

The `factory` fixture in conftest.py wraps these for the shorter calls most tests make.
"""

from datetime import timedelta
from functools import cache
from pathlib import Path

import factory
from sqlalchemy import select

from course_app.auth.models import Role, User
from course_app.auth.services import create_user
from course_app.clock import utcnow
from course_app.cohorts.models import Cohort, MemberRole, Membership
from course_app.cohorts.services import add_member, create_cohort
from course_app.content import load_course
from course_app.courses.models import Course
from course_app.courses.services import import_course
from course_app.discussions import services as discussions
from course_app.discussions.models import Post, Thread
from course_app.extensions import db

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_COURSE = ROOT / "modules" / "engaging-online"
PASSWORD = "a long enough passphrase"


@cache
def default_course_spec():
    """The default course as read from its folder; parsing it once is enough."""
    return load_course(DEFAULT_COURSE)


def default_course() -> Course:
    """The default course: imported once per worker, so usually just looked up."""
    spec = default_course_spec()
    course = db.session.scalar(select(Course).where(Course.slug == spec.slug))
    if course is None:  # a test emptied the database, or none has imported it yet
        course = import_course(spec).course
        db.session.commit()
    return course


class ServiceFactory(factory.Factory):
    """Creates through a service named by `_service`, then commits."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        row = cls._service(**kwargs)
        db.session.commit()
        return row

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError(f"{cls.__name__} makes rows through the app's services: use create()")


class UserFactory(ServiceFactory):
    class Meta:
        model = User

    name = factory.Sequence(lambda n: f"Person {n + 1}")
    email = factory.Sequence(lambda n: f"person{n + 1}@example.org")
    password = PASSWORD
    role = Role.LEARNER

    @classmethod
    def _service(cls, name, email, password, role):
        return create_user(email, name, password, at=utcnow(), role=role)


LearnerFactory = UserFactory


class FacilitatorFactory(UserFactory):
    role = Role.FACILITATOR


class AdminFactory(UserFactory):
    role = Role.ADMIN


class CourseFactory(ServiceFactory):
    """The default course (there is one per test database); other courses come from folders."""

    class Meta:
        model = Course

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return default_course()


class CohortFactory(ServiceFactory):
    class Meta:
        model = Cohort

    course = factory.SubFactory(CourseFactory)
    facilitator = factory.SubFactory(FacilitatorFactory)
    name = factory.Sequence(lambda n: f"Cohort {n + 1}")
    paced = False
    starts_on = None

    @classmethod
    def _service(cls, course, facilitator, name, paced, starts_on):
        return create_cohort(course, name, facilitator, at=utcnow(), paced=paced,
                             starts_on=starts_on)


class MembershipFactory(ServiceFactory):
    """Joined a minute ago, so "since they joined" already covers what happens next."""

    class Meta:
        model = Membership

    cohort = factory.SubFactory(CohortFactory)
    user = factory.SubFactory(UserFactory)
    role = MemberRole.LEARNER
    joined_at = factory.LazyFunction(lambda: utcnow() - timedelta(minutes=1))

    @classmethod
    def _service(cls, cohort, user, role, joined_at):
        return add_member(cohort, user, role, joined_at)


class ThreadFactory(ServiceFactory):
    class Meta:
        model = Thread

    cohort = factory.SubFactory(CohortFactory)
    etivity = factory.LazyAttribute(lambda o: o.cohort.course.active_etivities[0])
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Thread {n + 1}")
    body = "Here is what I think."
    at = factory.LazyFunction(utcnow)

    @classmethod
    def _service(cls, cohort, etivity, author, title, body, at):
        return discussions.start_thread(cohort, etivity, author, title, body, at=at)


class ReplyFactory(ServiceFactory):
    class Meta:
        model = Post

    thread = factory.SubFactory(ThreadFactory)
    author = factory.SubFactory(UserFactory)
    body = "Thanks, that helps."
    at = factory.LazyFunction(utcnow)

    @classmethod
    def _service(cls, thread, author, body, at):
        return discussions.reply(thread, author, body, at)


ALL = (UserFactory, CohortFactory, ThreadFactory)


def reset_sequences(start: int = 0) -> None:
    """Number people and cohorts from `start` + 1 again, so each test reads the same names.
    (Rows shared by several tests are numbered from 1001, so a test's own never clash.)"""
    for each in ALL:
        each.reset_sequence(start)
