"""Demo data: a cohort with a facilitator, learners at different stages, a reviewer (a sponsor
who reads the reports), real threads, and a toolkit whose sections have current versions; a
second, paced cohort that opened a few days ago (its calendar); and an admin, who reads the
development mailbox.

Everything goes through the same services a browser would use, so the demo's progress is
earned by posting, replying and reading, never written in directly. Running it twice changes
nothing the second time.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from .auth.models import Role, User
from .auth.services import create_user, find_by_email
from .clock import utcnow
from .cohorts.models import Cohort, MemberRole
from .cohorts.services import add_member, create_cohort
from .courses.models import Course
from .discussions import services as discussions
from .discussions.models import Thread
from .extensions import db
from .facilitate import moderation
from .progress.standing import cohort_progress
from .toolkit import services as toolkit
from .toolkit.models import ToolkitSection

DEMO_COHORT = "Demo cohort"
# A second, paced cohort that opened a few days ago: its stages open on dates, so the
# facilitator's calendar has today's items and its learner has a calendar feed.
PACED_COHORT = "Demo paced cohort"
PACED_DAYS_AGO = 3
DEMO_COHORTS = (DEMO_COHORT, PACED_COHORT)  # the cohorts the demo makes, by name
PASSWORD = "demo-password-2026"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    about: str
    role: Role
    target_stage: int  # the stage the demo walks a learner up to (1 = just arrived)
    member_role: MemberRole | None = MemberRole.LEARNER  # their part in the demo cohort, if any

    @property
    def label(self) -> str:
        """What the printed logins call them: a reviewer's account is an ordinary one."""
        return "reviewer" if self.member_role == MemberRole.REVIEWER else self.role.value


PEOPLE = (
    DemoPerson("facilitator@example.org", "Farah Facilitator",
               "E-moderator for this cohort. I read every conversation each morning.",
               Role.FACILITATOR, 0, MemberRole.FACILITATOR),
    # A sponsor with read-only access to the cohort's reports: an ordinary account, made a
    # reviewer of this cohort only.
    DemoPerson("reviewer@example.org", "Rosa Reviewer",
               "Sponsor from the digital directorate; reads the cohort's progress reports.",
               Role.LEARNER, 0, MemberRole.REVIEWER),
    # An admin, not a member of the cohort: opens the development mailbox (/admin/mailbox),
    # where `make run` shows the emails the demo would send.
    DemoPerson("admin@example.org", "Ada Admin", "Looks after this site.", Role.ADMIN, 0, None),
    DemoPerson("learner@example.org", "Lee Learner", "", Role.LEARNER, 1),
    DemoPerson("ana@example.org", "Ana Okafor", "Press officer in a county council.",
               Role.LEARNER, 4),
    DemoPerson("ben@example.org", "Ben Marsh", "Policy adviser, transport team.", Role.LEARNER, 4),
    DemoPerson("cara@example.org", "Cara Lindqvist", "Runs a library service's pages.",
               Role.LEARNER, 4),
    DemoPerson("gus@example.org", "Gus Amankwah", "Consultation lead, planning.", Role.LEARNER, 4),
    DemoPerson("eve@example.org", "Eve Walsh", "Digital team, health board.", Role.LEARNER, 3),
    # Finn reached stage 2 on the demo's first day (20 days ago), longer ago than stage 2's
    # suggested days: stuck in stage 2, for the reports' "stuck" filter.
    DemoPerson("finn@example.org", "Finn O'Brien", "", Role.LEARNER, 2),
    DemoPerson("dev@example.org", "Dev Patel", "Housing officer, new to all this.",
               Role.LEARNER, 1),
    # In the paced cohort only (see PACED_COHORT).
    DemoPerson("pat@example.org", "Pat Singh", "Communications officer, fire and rescue.",
               Role.LEARNER, 1, None),
)
PACED_LEARNERS = ("pat@example.org",)

OPENINGS = (
    "Here is where I stand on this one. In my team we mostly publish and then go quiet; "
    "I'd like to try listening first and see what people are already saying about us.",
    "My example: a neighbourhood forum where residents swapped tips about bin collections. "
    "Nobody from the council was there, and the thread was more accurate than our own page.",
    "I tried this with a short question on our page and got twelve replies in a day. "
    "Two of them changed how we worded the next notice.",
)
REPLIES = (
    "Thanks, this rings true. What made you decide to answer rather than just watch?",
    "I like this. Ours is different: we have to clear every reply with a manager first.",
    "Good point about tone. Could we add this to the phrase book?",
)


# What the demo cohort's editors compiled for each toolkit section (by its slug); a section
# not named here gets the general one.
PIECES = {
    "phrase-book": (
        "## Phrases that work\n\n"
        "- **Instead of** \"Your query has been logged\" **try** \"Thanks, I've passed this to "
        "the housing team and I'll come back to you by Friday.\"\n"
        "- **Instead of** \"Please refer to our website\" **try** \"Here's the page that answers "
        "this, and the bit that matters is the second paragraph.\"\n"
        "- When we got it wrong: \"You're right, we got this wrong. Here's what we're doing about "
        "it.\""),
    "rules-of-thumb": (
        "## Rules of thumb for letting go\n\n"
        "1. Agree in advance what you may answer without asking.\n"
        "2. Say who you are and what you can and can't do.\n"
        "3. If a thread turns, step back for an hour before you reply."),
    "voice-guide": (
        "## Our voice\n\n"
        "Plain, warm, specific. We sound like a helpful colleague, not a notice board. "
        "We use \"we\" and \"you\", we say when we'll be back, and we never argue in public."),
    "rough-guides": (
        "## A rough guide to a neighbourhood forum\n\n"
        "- **Who is there:** residents, a few local councillors, the odd journalist.\n"
        "- **Unwritten rules:** introduce yourself; no press releases; answer the question "
        "asked.\n- **Best time to listen:** weekday evenings."),
}
# What the `welcome` e-tivity asks a facilitator to post and pin before learners arrive
# (its e-moderator notes give the full text); opening it ticks `welcome` off.
GROUND_RULES = ("Ground rules", "- **Be kind, and assume good intent.** Disagree with ideas, "
                "not people.\n- **Themes, not people.** Don't name, quote or picture members of "
                "the public.\n- **What you write here may be disclosed**, as in any public body."
                "\n- **Stuck? Say so** in *Ask for help*; nobody minds.")
GENERAL_PIECE = ("## What we built\n\nThe compiled version of our shared piece: what we agreed, "
                 "in our own words, ready to take back to work.")


def _toolkit(cohort: Cohort, course: Course, people: dict[str, User], facilitator: User,
             at) -> None:
    """Each toolkit section: a learner editor (named by the facilitator) posts the compiled
    version, a peer suggests a change, and the editor marks the compiled post current. Ana and
    Ben agree to be named on the public page, which the facilitator publishes."""
    editors = ["ana@example.org", "ben@example.org", "cara@example.org", "gus@example.org"]
    for n, etivity in enumerate(toolkit.toolkit_etivities(course)):
        editor = people[editors[n % len(editors)]]
        peer = people[editors[(n + 1) % len(editors)]]
        clock = at + timedelta(minutes=10 * n)
        toolkit.set_editor(cohort, etivity, editor.id, facilitator, clock)
        thread = discussions.start_thread(
            cohort, etivity, editor, f"{toolkit.title_of(etivity)}: the compiled version",
            PIECES.get(etivity.toolkit_slug, GENERAL_PIECE), at=clock + timedelta(minutes=1))
        discussions.reply(thread, peer, "Looks right to me. Could we add an example from a "
                          "council page?", at=clock + timedelta(minutes=4))
        toolkit.mark_current(cohort, etivity, thread.posts[0], editor, clock + timedelta(minutes=6))
    for email in ("ana@example.org", "ben@example.org"):
        toolkit.set_consent(cohort, people[email], True, at)
    toolkit.set_published(cohort, True, facilitator, at + timedelta(hours=1))


def _ground_rules(cohort: Cohort, course: Course, facilitator: User, at) -> None:
    """The facilitator's pinned "Ground rules" in `welcome`, as its notes ask."""
    welcome = next((e for e in course.active_etivities if e.slug == "welcome"), None)
    if welcome is None:
        return
    title, body = GROUND_RULES
    thread = discussions.start_thread(cohort, welcome, facilitator, title, body, at=at)
    moderation.set_thread_flags(cohort, thread, facilitator, at, pinned=True)


def _paced_cohort(course: Course, people: dict[str, User], facilitator: User, now) -> None:
    """The paced cohort, once: opened PACED_DAYS_AGO days ago, with its own learner."""
    if db.session.scalar(select(Cohort.id).where(Cohort.course_id == course.id,
                                                 Cohort.name == PACED_COHORT)) is not None:
        return
    opened = now - timedelta(days=PACED_DAYS_AGO)
    cohort = create_cohort(course, PACED_COHORT, facilitator, at=opened,
                           starts_on=opened.date(), paced=True)
    cohort.welcome_message = ("Welcome. This cohort moves together: each stage opens on its "
                              "date, and your calendar shows what to do on which day.")
    discussions.ensure_help_thread(cohort, facilitator, at=opened)
    _ground_rules(cohort, course, facilitator, opened)
    for email in PACED_LEARNERS:
        add_member(cohort, people[email], MemberRole.LEARNER, opened)


def _person(spec: DemoPerson, at) -> User:
    user = find_by_email(spec.email)
    if user is None:
        user = create_user(spec.email, spec.name, PASSWORD, at=at, role=spec.role, about=spec.about)
    return user


def _walk(cohort: Cohort, course: Course, learners: dict[str, tuple[User, int]],
          facilitator: User, start, progress: Callable[[str], None]) -> None:
    """Each learner does what each e-tivity below their target stage asks, in course order,
    one e-tivity a day from `start`, so the cohort's history spreads over the last fortnight."""
    day, clock = 0, start
    for etivity in course.active_etivities:
        group = [u for u, target in learners.values() if target > etivity.stage_number]
        if not group:
            continue
        clock = max(clock, start + timedelta(days=day, hours=9))
        day += 1
        rule = etivity.rule
        opened = []
        for n, user in enumerate(group):
            for k in range(max(rule.initiate, 1 if rule.interact or rule.observe else 0)):
                clock += timedelta(minutes=37)
                thread = discussions.start_thread(
                    cohort, etivity, user, f"{user.name.split()[0]}: {etivity.title}",
                    OPENINGS[(n + k) % len(OPENINGS)], at=clock)
                opened.append(thread)
        if etivity.stage_number == 1 and opened:
            clock += timedelta(minutes=11)
            discussions.reply(opened[0], facilitator,
                              "Welcome! Lovely to have you here. Have a look around and say hello.",
                              at=clock)
        for n, user in enumerate(group):
            others = [t for t in opened if t.author_id != user.id]
            for k, thread in enumerate(others[: rule.interact]):
                clock += timedelta(minutes=23)
                discussions.reply(thread, user, REPLIES[(n + k) % len(REPLIES)], at=clock)
            for thread in others:
                clock += timedelta(minutes=3)
                discussions.mark_shown(thread, user, list(thread.posts), at=clock)
        progress(etivity.slug)


def has_cohorts_of_its_own() -> bool:
    """The database holds a cohort the demo didn't make (`demo --if-empty` then loads
    nothing: the demo's cohorts are no reason to stop, as loading again changes nothing)."""
    return db.session.scalar(
        select(Cohort.id).where(Cohort.name.not_in(DEMO_COHORTS)).limit(1)) is not None


def demo_loaded(course: Course) -> bool:
    """Both of the demo's cohorts are there (an older demo may lack the paced one, which
    loading again adds)."""
    names = set(db.session.scalars(select(Cohort.name).where(
        Cohort.course_id == course.id, Cohort.name.in_(DEMO_COHORTS))))
    return names == set(DEMO_COHORTS)


def load_demo(course: Course, progress: Callable[[str], None] = lambda _: None) -> dict:
    """Create the demo cohort once; later runs return what is there. Flushes."""
    now = utcnow()
    people = {p.email: _person(p, now) for p in PEOPLE}
    facilitator = people["facilitator@example.org"]
    cohort = db.session.scalar(
        select(Cohort).where(Cohort.course_id == course.id, Cohort.name == DEMO_COHORT)
    )
    if cohort is None:
        cohort = create_cohort(course, DEMO_COHORT, facilitator, at=now,
                               starts_on=utcnow().date() - timedelta(days=13))
        cohort.welcome_message = ("Welcome to Engaging online. Take your time in stage 1: "
                                  "look around, say hello, and ask anything in Ask for help.")
        discussions.ensure_help_thread(cohort, facilitator, at=now)
        _ground_rules(cohort, course, facilitator, now - timedelta(days=13))
        learners = {}
        for p in PEOPLE:
            if p.member_role == MemberRole.LEARNER:
                add_member(cohort, people[p.email], MemberRole.LEARNER, now - timedelta(days=12))
                learners[p.email] = (people[p.email], p.target_stage)
        _walk(cohort, course, learners, facilitator, now - timedelta(days=12), progress)
        # Dev has only read so far: Salmon's "lurker", someone to nudge.
        dev = people["dev@example.org"]
        stage_1 = [e.id for e in course.etivities_in(1)]
        for thread in db.session.scalars(
            select(Thread).where(Thread.cohort_id == cohort.id, Thread.etivity_id.in_(stage_1))
        ):
            discussions.mark_shown(thread, dev, list(thread.posts), at=now - timedelta(days=2))
    # Outside the block above, so a demo loaded before there was a toolkit gains one.
    if db.session.scalar(select(ToolkitSection.id).where(
            ToolkitSection.cohort_id == cohort.id).limit(1)) is None:
        _toolkit(cohort, course, people, facilitator, now - timedelta(days=1))
    # Outside the block above, so a demo loaded before there was a paced cohort gains one.
    _paced_cohort(course, people, facilitator, now)
    # Outside the block above, so a demo loaded before there was a reviewer gains one.
    for p in PEOPLE:
        if p.member_role == MemberRole.REVIEWER:
            add_member(cohort, people[p.email], MemberRole.REVIEWER, now)
    db.session.flush()
    standings = cohort_progress(cohort, utcnow().date())
    return {
        "cohort": cohort,
        "people": PEOPLE,
        "password": PASSWORD,
        "stages": {people[e].email: standings[people[e].id].current_stage
                   for e in people if people[e].id in standings},
    }
