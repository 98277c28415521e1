"""Weaves: a facilitator's summary thread, pinned at the top of an e-tivity, whose opening
post cites the posts it draws together. Storing and reading them lives here, beside the
threads they are; deciding to weave (checks, the audit entry) is facilitate.weaving's job."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column, selectinload

from ..auth.models import User
from ..cohorts.models import Cohort
from ..courses.models import Etivity
from ..extensions import db
from ..rendering import excerpt
from .models import Post, Thread, ThreadKind
from .reading import pages_of

QUOTE_MAX = 280  # characters of a quote the facilitator chose
OPENING = 120  # characters of a post's opening, quoted when they chose none


class Citation(db.Model):
    """A weave's opening post cites a post it draws together, with a short quote."""

    id: Mapped[int] = mapped_column(primary_key=True)
    weave_post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"),
                                               index=True)
    cited_post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    quote: Mapped[str] = mapped_column(Text, default="")


@dataclass(frozen=True)
class Cited:
    post: Post
    quote: str
    page: int  # the page of its thread the cited post is on


@dataclass(frozen=True)
class Weave:
    thread: Thread
    summary: Post  # the weave's opening post
    cited: list[Cited]


def short_quote(quote: str, post: Post) -> str:
    """The quote given (its spaces folded, cut to QUOTE_MAX characters), or the opening of
    the post in plain words as its readers see it (`excerpt`: no Markdown, cut at a word)."""
    quote = " ".join((quote or "").split())
    if not quote:
        return excerpt(post.body, OPENING)
    if len(quote) > QUOTE_MAX:
        quote = quote[:QUOTE_MAX - 1].rstrip() + "…"
    return quote


def store(cohort: Cohort, etivity: Etivity, author: User, title: str, body: str,
          cited: list[tuple[Post, str]], at: datetime) -> Thread:
    """Store a weave as given (the caller has checked it): a pinned thread whose opening
    post cites each (post, quote). Flushes."""
    thread = Thread(cohort_id=cohort.id, etivity_id=etivity.id, author=author,
                    kind=ThreadKind.WEAVE, title=title, created_at=at, last_post_at=at,
                    pinned=True)
    summary = Post(author=author, body=body, created_at=at)
    thread.posts.append(summary)
    db.session.add(thread)
    db.session.flush()
    for post, quote in cited:
        db.session.add(Citation(weave_post_id=summary.id, cited_post_id=post.id,
                                quote=short_quote(quote, post)))
    db.session.flush()
    return thread


def citations_for(post_ids: list[int]) -> dict[int, list[tuple[Citation, Post]]]:
    """{weave post id: [(citation, cited post)]} for showing weaves with their sources."""
    if not post_ids:
        return {}
    rows = db.session.execute(
        select(Citation, Post).join(Post, Post.id == Citation.cited_post_id)
        .where(Citation.weave_post_id.in_(post_ids)).order_by(Citation.id)
    ).all()
    out: dict[int, list[tuple[Citation, Post]]] = {}
    for citation, post in rows:
        out.setdefault(citation.weave_post_id, []).append((citation, post))
    return out


def weaves(cohort: Cohort, etivity: Etivity | None = None, thread: Thread | None = None
           ) -> list[Weave]:
    """Facilitators' summaries with the posts they cite, newest first: an e-tivity's, or the
    one `thread`. The discussion views pass them to their templates."""
    query = select(Thread).where(Thread.cohort_id == cohort.id, Thread.kind == ThreadKind.WEAVE)
    if etivity is not None:
        query = query.where(Thread.etivity_id == etivity.id)
    if thread is not None:
        query = query.where(Thread.id == thread.id)
    threads = db.session.scalars(query.order_by(Thread.created_at.desc(), Thread.id.desc())).all()
    if not threads:
        return []
    first_ids = (select(func.min(Post.id)).where(Post.thread_id.in_([t.id for t in threads]))
                 .group_by(Post.thread_id))
    summaries = {p.thread_id: p for p in db.session.scalars(
        select(Post).where(Post.id.in_(first_ids)).options(selectinload(Post.author)))}
    cites = citations_for([p.id for p in summaries.values()])
    pages = pages_of([post for rows in cites.values() for _c, post in rows])
    return [
        Weave(t, summaries[t.id], [Cited(post, c.quote, pages[post.id])
                                   for c, post in cites.get(summaries[t.id].id, [])])
        for t in threads if t.id in summaries
    ]
