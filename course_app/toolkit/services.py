"""The cohort's toolkit: reading its sections (current version, editor, contributors) in a
fixed number of queries, as the person asking may see them (a learner sees what each
section's e-tivity would show them: nothing of a locked one, nor of a "post first" one
before they start their own conversation there), and the four changes: mark a post
current, name a section's editor, publish or unpublish, and a person's consent to be named
on the published page.

Each change checks who may make it, flushes and writes one audit entry where it is a
facilitator's or an editor's act; the views commit.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..clock import utcnow
from ..cohorts.models import Cohort, MemberRole
from ..cohorts.services import membership_of
from ..courses.models import Course, Etivity
from ..database import added, insert_or_merge
from ..discussions.models import Post, Thread, ThreadKind
from ..discussions.queries import shown
from ..discussions.reading import waiting_to_post
from ..discussions.services import lock_post
from ..extensions import db
from ..facilitate.audit import record
from ..facilitate.models import AuditAction
from ..permissions import can_facilitate, is_learner, role_in
from ..progress.rules import EtivityState, describe_lock
from ..progress.standing import learner_progress
from .models import ToolkitConsent, ToolkitPublication, ToolkitSection


class ToolkitError(ValueError):
    """A toolkit change refused, worded for the person; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Contributor:
    user: User
    named: bool  # agreed to be named on the published page

    def shown(self, public: bool) -> bool:
        """Named on this page: always inside the cohort; on the published page only with
        their consent (a deleted account never)."""
        return not public or (self.named and not self.user.is_deleted)


@dataclass(frozen=True)
class Access:
    """How much of a section the person asking sees: all of it, or (a learner) only why not
    yet: its e-tivity is locked for them (`lock`, in words), or it is "post first" and they
    have not started their own conversation there (`waiting`)."""

    lock: str = ""
    waiting: bool = False

    @property
    def full(self) -> bool:
        return not self.lock and not self.waiting


EVERYTHING = Access()


@dataclass(frozen=True)
class Section:
    etivity: Etivity
    row: ToolkitSection | None
    contributors: list[Contributor]
    access: Access = EVERYTHING  # what `reader_id` may see of it (see `sections`)
    reader_id: int | None = None  # whom it was read for (None: nobody in particular)

    @property
    def slug(self) -> str:
        return self.etivity.toolkit_slug or self.etivity.slug

    @property
    def title(self) -> str:
        return title_of(self.etivity)

    @property
    def current(self) -> Post | None:
        """The current version, while its post is shown (a hidden or withdrawn post isn't)."""
        post = self.row.current_post if self.row else None
        return post if post is not None and post.visible else None

    @property
    def editor(self) -> User | None:
        return self.row.editor if self.row else None

    def credits(self, public: bool) -> tuple[list[str], int]:
        """Contributors' names, and how many are left unnamed: on the published page only
        those who agreed are named (a deleted account never is)."""
        names = [c.user.name for c in self.contributors if c.shown(public)]
        return names, len(self.contributors) - len(names)

    def author_name(self, public: bool) -> str:
        """The current version's author, named on the same terms as the credits."""
        post = self.current
        if post is None:
            return ""
        author = next((c for c in self.contributors if c.user.id == post.author_id), None)
        return post.author.name if author and author.shown(public) else "a member of the cohort"


def title_of(etivity: Etivity) -> str:
    """A section's title: the one its front matter gives, else the e-tivity's."""
    return etivity.toolkit_title or etivity.title


def toolkit_etivities(course: Course) -> list[Etivity]:
    """The course's e-tivities that build a toolkit section, in the course's order."""
    return [e for e in course.active_etivities if e.toolkit_slug]


def _access(cohort: Cohort, reader: User, etivities: list[Etivity], today: date
            ) -> dict[int, Access]:
    """{e-tivity id: Access} where a section shows `reader` less than all: the toolkit shows
    a learner what the e-tivity itself would (its stage lock, as on the map; "post first",
    as `discussions.reading.waiting_to_post`), in the same queries however many sections.
    Facilitators, reviewers and admins see everything."""
    if not is_learner(reader, cohort):
        return {}
    standing = learner_progress(cohort, reader.id, today)
    states = {p.etivity.id: p.state for p in standing.etivities}
    found = {}
    for etivity in etivities:
        if states.get(etivity.id) == EtivityState.LOCKED:
            number = etivity.stage_number
            found[etivity.id] = Access(lock=f"Built in stage {number}, which "
                                            f"{describe_lock(standing.stages[number], today)}")
    open_ = [etivity for etivity in etivities if etivity.id not in found]
    for etivity_id in waiting_to_post(cohort, open_, reader):
        found[etivity_id] = Access(waiting=True)
    return found


def sections(cohort: Cohort, only: Etivity | None = None, *, reader: User | None = None,
             today: date | None = None) -> list[Section]:
    """Every section of the cohort's toolkit (or `only` that one), in a fixed number of
    queries whatever the cohort's size; as `reader` may see them on `today` when given (else
    whole: the published page)."""
    etivities = [only] if only else toolkit_etivities(cohort.course)
    if not etivities:
        return []
    access = (_access(cohort, reader, etivities, today or utcnow().date())
              if reader is not None else {})
    ids = [e.id for e in etivities]
    rows = {r.etivity_id: r for r in db.session.scalars(
        select(ToolkitSection).where(ToolkitSection.cohort_id == cohort.id,
                                     ToolkitSection.etivity_id.in_(ids))
        .options(selectinload(ToolkitSection.current_post).selectinload(Post.author),
                 selectinload(ToolkitSection.editor), selectinload(ToolkitSection.marked_by)))}
    pairs = db.session.execute(
        select(Thread.etivity_id, Post.author_id).join(Thread, Thread.id == Post.thread_id)
        .where(Thread.cohort_id == cohort.id, Thread.etivity_id.in_(ids),
               Thread.kind == ThreadKind.PIECE, shown())
        .distinct()).all()
    people = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_({a for _e, a in pairs})))} if pairs else {}
    named = consenting(cohort)
    by_etivity: dict[int, list[Contributor]] = {}
    for etivity_id, author_id in pairs:
        by_etivity.setdefault(etivity_id, []).append(
            Contributor(people[author_id], author_id in named))
    return [Section(e, rows.get(e.id),
                    sorted(by_etivity.get(e.id, []), key=lambda c: (c.user.name, c.user.id)),
                    access.get(e.id, EVERYTHING), reader.id if reader is not None else None)
            for e in etivities]


def sees_every_section(parts: list[Section]) -> bool:
    """The sections (as `sections(reader=…)` read them) show their reader all of each: only
    then is the published page offered to them, as it shows every section whole (a learner
    would be one click from what their stages keep for later)."""
    return all(section.access.full for section in parts)


def section_for(cohort: Cohort, etivity: Etivity, *, reader: User | None = None,
                today: date | None = None) -> Section:
    return sections(cohort, etivity, reader=reader, today=today)[0]


def consenting(cohort: Cohort) -> set[int]:
    """Who agreed to be named on the cohort's published toolkit."""
    return set(db.session.scalars(
        select(ToolkitConsent.user_id).where(ToolkitConsent.cohort_id == cohort.id)))


def publication(cohort: Cohort) -> ToolkitPublication | None:
    return db.session.get(ToolkitPublication, cohort.id)


def earlier_published(cohort: Cohort, etivity: Etivity) -> list[tuple[Cohort, Post]]:
    """The current versions of this section that earlier cohorts of the course published:
    a spark for this one (newest first, at most five)."""
    rows = db.session.execute(
        select(Cohort, ToolkitSection)
        .join(ToolkitPublication, ToolkitPublication.cohort_id == Cohort.id)
        .join(ToolkitSection, ToolkitSection.cohort_id == Cohort.id)
        .where(Cohort.course_id == cohort.course_id, Cohort.id != cohort.id,
               Cohort.created_at <= cohort.created_at, ToolkitSection.etivity_id == etivity.id,
               ToolkitSection.current_post_id.is_not(None))
        .order_by(Cohort.created_at.desc(), Cohort.id.desc()).limit(5)
        .options(selectinload(ToolkitSection.current_post))).all()
    return [(c, s.current_post) for c, s in rows if s.current_post.visible]


def as_markdown(cohort: Cohort, parts: list[Section], public: bool) -> str:
    """The toolkit as one Markdown document: each section's current version as its author
    wrote it, with the credits (on the published page's terms when `public`)."""
    lines = [f"# {cohort.course.title}: the toolkit of {cohort.name}", ""]
    for section in parts:
        lines += [f"## {section.title}", ""]
        if section.access.lock:
            lines += [f"_{section.access.lock}._", ""]
            continue
        if section.access.waiting:
            lines += [f"_Its current version appears once you have started your own "
                      f"conversation in “{section.etivity.title}”._", ""]
            continue
        post = section.current
        if post is None:
            lines += ["_No current version yet._", ""]
        else:
            lines += [post.body.strip(), "",
                      f"_Current version by {section.author_name(public)}._", ""]
        names, unnamed = section.credits(public)
        if names or unnamed:
            credit = ", ".join(names)
            if unnamed:
                others = f"{unnamed} {'other' if unnamed == 1 else 'others'}"
                credit = f"{credit} and {others}" if names else others.capitalize()
            lines += [f"Contributors: {credit}.", ""]
    return "\n".join(lines).rstrip() + "\n"


# ---- who may ------------------------------------------------------------------------

def may_mark(user, cohort: Cohort, section: Section) -> bool:
    """Mark a post as a section's current version: the cohort's facilitators, and the
    section's learner editor while the cohort takes posts and the e-tivity shows them its
    conversations (open to them, and "post first" done): `section` read for them."""
    if can_facilitate(user, cohort):
        return True
    return (section.row is not None and section.row.editor_id == user.id
            and role_in(user, cohort) == MemberRole.LEARNER and cohort.accepts_posts
            and section.reader_id == user.id and section.access.full)


def may_consent(user, cohort: Cohort) -> bool:
    """Say whether you may be named: anyone who can post in the cohort as its member."""
    return role_in(user, cohort) in (MemberRole.LEARNER, MemberRole.FACILITATOR)


# ---- changes ------------------------------------------------------------------------

def _row(cohort: Cohort, etivity: Etivity) -> ToolkitSection:
    """The section's row, made if missing; two requests at once make one (the unique key)."""
    table = ToolkitSection.__table__
    db.session.execute(insert_or_merge(table).values(cohort_id=cohort.id, etivity_id=etivity.id)
                       .on_conflict_do_nothing(index_elements=[table.c.cohort_id,
                                                               table.c.etivity_id]))
    return db.session.scalar(select(ToolkitSection).where(
        ToolkitSection.cohort_id == cohort.id, ToolkitSection.etivity_id == etivity.id))


def mark_current(cohort: Cohort, etivity: Etivity, post: Post, actor: User,
                 at: datetime) -> ToolkitSection:
    """Make `post` the section's current version (the one before it stops being current)."""
    if not etivity.toolkit_slug:
        raise ToolkitError("This e-tivity builds no toolkit section.")
    section = section_for(cohort, etivity, reader=actor, today=at.date())
    if not may_mark(actor, cohort, section):
        raise ToolkitError("Only this section's editor or a facilitator can choose its "
                           "current version.")
    thread = post.thread
    if (thread.cohort_id != cohort.id or thread.etivity_id != etivity.id
            or thread.kind != ThreadKind.PIECE):
        raise ToolkitError(f"Choose a post from “{etivity.title}”'s conversations.", "post_id")
    lock_post(post)  # a facilitator may be hiding it, or its author withdrawing it, right now
    if not post.visible:
        raise ToolkitError("That post is hidden or withdrawn: choose another.", "post_id")
    row = _row(cohort, etivity)
    row.current_post_id, row.marked_by_id, row.marked_at = post.id, actor.id, at
    db.session.flush()
    record(cohort, actor, AuditAction.TOOLKIT_CURRENT,
           f"Marked {post.author.name}'s post as the current “{section.title}”", at,
           target=f"post {post.id}", detail={"section": section.slug})
    return row


def set_editor(cohort: Cohort, etivity: Etivity, editor_id: int | None, actor: User,
               at: datetime) -> ToolkitSection:
    """Name the section's learner editor (None: nobody; facilitators can always mark)."""
    if not etivity.toolkit_slug:
        raise ToolkitError("This e-tivity builds no toolkit section.")
    editor = None
    if editor_id is not None:
        membership = membership_of(cohort.id, editor_id)
        if membership is None or not membership.is_active_learner:
            raise ToolkitError("Choose one of the cohort's learners.", "editor")
        editor = membership.user
    row = _row(cohort, etivity)
    row.editor_id = editor.id if editor else None
    db.session.flush()
    title = title_of(etivity)
    summary = (f"Named {editor.name} editor of “{title}”" if editor
               else f"“{title}” has no learner editor now")
    record(cohort, actor, AuditAction.TOOLKIT_EDITOR, summary, at,
           target=f"user {editor.id}" if editor else "", detail={"section": etivity.toolkit_slug})
    return row


def set_published(cohort: Cohort, publish: bool, actor: User, at: datetime) -> None:
    """Publish the toolkit as a read-only page anyone can open, or take it down."""
    current = publication(cohort)
    # Sent twice at once (or by two facilitators), the second finds it done: one entry.
    if publish and current is None:
        if not added(ToolkitPublication(cohort_id=cohort.id, published_at=at,
                                        published_by_id=actor.id)):
            return
        summary = "Published the toolkit as a public page"
    elif not publish and current is not None:
        if not db.session.execute(delete(ToolkitPublication).where(
                ToolkitPublication.cohort_id == cohort.id)).rowcount:
            return
        summary = "Took the toolkit's public page down"
    else:
        return
    db.session.flush()
    record(cohort, actor, AuditAction.TOOLKIT_PUBLISHED, summary, at, target="everyone",
           detail={"published": publish})


def set_consent(cohort: Cohort, user: User, consent: bool, at: datetime) -> None:
    """The person's own choice to be named on the published toolkit (or not)."""
    if consent:
        table = ToolkitConsent.__table__
        db.session.execute(insert_or_merge(table).values(
            cohort_id=cohort.id, user_id=user.id, given_at=at).on_conflict_do_nothing(
            index_elements=[table.c.cohort_id, table.c.user_id]))
    else:
        db.session.execute(delete(ToolkitConsent).where(ToolkitConsent.cohort_id == cohort.id,
                                                        ToolkitConsent.user_id == user.id))
    db.session.flush()
