"""One rich cohort and everyone around it, for tests that walk every route of the app
(tests/web/test_access_matrix.py, tests/web/test_bad_input.py) and the privacy tests. The
`rich` fixture (conftest.py) makes it once for a module's consecutive tests.

Cohort A has a facilitator, a reviewer, two learners with a thread and replies, a learner
who was removed, a help thread, an invite, the facilitator's API token, and a toolkit section
(`introduce-yourself` builds it) whose editor is the learner; cohort B (the
same course) has its own facilitator and learner; there is an admin. `ids` holds a real
value for every argument a route takes, naming things of cohort A.
"""

from dataclasses import dataclass, field

from sqlalchemy import select

from course_app.auth.models import Role, User
from course_app.auth.tokens import create_token
from course_app.clock import utcnow
from course_app.cohorts.models import Cohort, MemberRole
from course_app.cohorts.services import add_member, create_invite, membership_of
from course_app.courses.models import CourseAuthor, Etivity
from course_app.design.models import CourseChange, DesignDraft
from course_app.discussions import services as discussions
from course_app.extensions import db
from course_app.notifications.models import Notification
from course_app.toolkit import services as toolkit

PERSONAS = ("anonymous", "learner", "other learner", "removed learner", "reviewer",
            "other facilitator", "facilitator", "admin")
SECRET = "Words only cohort A may read"
DESIGN_ROUTES = [f"design.{name}" for name in (
    "authors", "copy", "course_texts", "duplicate", "etivity", "etivity_history", "history",
    "move", "new_etivity", "remove_author", "restore", "retire", "storyboard", "download",
    "upload", "publish", "discard_draft", "restore_change")]


@dataclass(frozen=True)
class World:
    """The world by id (so tests can share it across sessions: see conftest.shared_rows); its
    people and cohorts are loaded in the session of the test that asks."""
    cohort_id: int
    other_id: int
    people_ids: dict[str, int | None]
    ids: dict[str, object]
    peer_id: int
    help_thread_id: int
    by_endpoint: dict[tuple[str, str], object] = field(default_factory=dict)

    @property
    def cohort(self) -> Cohort:
        return db.session.get(Cohort, self.cohort_id)

    @property
    def other(self) -> Cohort:
        return db.session.get(Cohort, self.other_id)

    @property
    def people(self) -> dict[str, User | None]:
        return {who: db.session.get(User, id_) if id_ else None
                for who, id_ in self.people_ids.items()}

    @property
    def peer(self) -> User:
        return db.session.get(User, self.peer_id)

    def args_for(self, rule) -> dict:
        """A real value for each of the rule's arguments (cohort A's things)."""
        return {name: self.by_endpoint.get((rule.endpoint, name), self.ids.get(name))
                for name in rule.arguments}

    def url_for(self, rule, **overrides) -> str:
        values = {**self.args_for(rule), **overrides}
        return rule.build(values, append_unknown=False)[1]


def build(factory) -> World:
    course = factory.course()
    facilitator = factory.user(Role.FACILITATOR, name="Fay Facilitator")
    cohort = factory.cohort(course=course, facilitator=facilitator, name="Cohort A")
    learner = factory.learner_in(cohort, name="Lee Learner")
    peer = factory.learner_in(cohort, name="Pat Peer")
    removed = factory.learner_in(cohort, name="Rob Removed")
    reviewer = factory.user(Role.LEARNER, name="Val Reviewer")
    add_member(cohort, reviewer, MemberRole.REVIEWER, utcnow())
    admin = factory.user(Role.ADMIN, name="Ada Admin")

    other_facilitator = factory.user(Role.FACILITATOR, name="Otto Other")
    other = factory.cohort(course=course, facilitator=other_facilitator, name="Cohort B")
    other_learner = factory.learner_in(other, name="Olga Other")

    etivity = db.session.scalar(select(Etivity).where(Etivity.course_id == course.id,
                                                      Etivity.slug == "introduce-yourself"))
    # It builds a toolkit section, whose editor is the learner.
    etivity.toolkit_slug, etivity.toolkit_title = "introductions", "Introductions"
    now = utcnow()
    thread = discussions.start_thread(cohort, etivity, peer, "Hello from A", SECRET, now)
    reply = discussions.reply(thread, learner, "Welcome, Pat", now)
    discussions.reply(thread, peer, "Thanks, Lee", now, parent=reply)  # notifies the learner
    discussions.reply(thread, removed, "I was here once", now)
    help_thread = discussions.ensure_help_thread(cohort, facilitator, now)
    membership_of(cohort.id, removed.id).removed_at = now
    invite = create_invite(cohort, facilitator, now)
    token, _secret = create_token(facilitator, "weekly sheet", now)
    toolkit.set_editor(cohort, etivity, learner.id, facilitator, now)
    b_etivity = etivity  # the same course: B's threads live in the same e-tivity
    discussions.start_thread(other, b_etivity, other_learner, "Hello from B",
                             "Words of cohort B", now)
    # The course has one author, who is none of the people: only the admin may design it.
    course_author = CourseAuthor(course=course, user=factory.user(Role.LEARNER, name="Aria Author"))
    db.session.add(course_author)
    # A published change in the history, and a draft of the course's texts waiting.
    change = CourseChange(course=course, etivity=etivity, action="etivity-edited",
                          summary="Changed it", changes={"title": ["Before", etivity.title]},
                          created_at=now)
    draft = DesignDraft(course=course, key="", fields={
        "course": {"title": "Drafted title"}, "stages": {}}, updated_at=now)
    db.session.add_all([change, draft])
    db.session.commit()
    notification = db.session.scalar(select(Notification).where(
        Notification.user_id == learner.id).order_by(Notification.id))

    ids = {
        "cohort_id": cohort.id, "thread_id": thread.id, "post_id": reply.id,
        "invite_id": invite.id, "membership_id": membership_of(cohort.id, peer.id).id,
        "notification_id": notification.id, "token_id": token.id, "user_id": learner.id,
        "slug": etivity.slug, "token": invite.token, "fmt": "csv", "filename": "css/app.css",
        "etivity_slug": etivity.slug, "stage": 1, "author_id": course_author.id,
        "change_id": change.id, "draft_id": draft.id, "kind": "unanswered",
    }
    by_endpoint = {("courses.course", "slug"): course.slug,
                   ("reports.compare", "slug"): course.slug,
                   ("facilitate.changes", "which"): "opened"}
    by_endpoint.update({(rule, "slug"): course.slug for rule in DESIGN_ROUTES})
    people = {"anonymous": None, "learner": learner.id, "other learner": other_learner.id,
              "removed learner": removed.id, "reviewer": reviewer.id,
              "other facilitator": other_facilitator.id, "facilitator": facilitator.id,
              "admin": admin.id}
    return World(cohort.id, other.id, people, ids, peer.id, help_thread.id, by_endpoint)
