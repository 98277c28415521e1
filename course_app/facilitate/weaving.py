"""Weaving: a facilitator's summary that draws an e-tivity's posts together, citing each.
Deciding and checking is done here (and logged as an intervention); discussions.weaves stores
and reads the weave."""

from dataclasses import dataclass
from datetime import datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..cohorts.models import Cohort
from ..courses.models import Etivity
from ..discussions import services as discussions
from ..discussions import weaves
from ..discussions.models import Post, Thread, ThreadKind
from ..discussions.queries import shown
from ..discussions.reading import pages_of
from ..extensions import db
from ..paging import paginate
from ..rendering import plain_words
from ..text import is_blank
from .audit import record
from .errors import FacilitateError
from .models import AuditAction
from .moderation import check_post_in

MOST_CITED = 100  # posts one weave cites
# Quote marks and apostrophes typed one way match the other ("don't" and "don’t").
_SAME_MARKS = str.maketrans("‘’‚‛′“”„‟″«»", "'" * 5 + '"' * 7)
_AROUND = "'\" .…"  # what may stand around a quote and isn't part of it: marks, an ellipsis


def _comparable(text: str) -> str:
    return " ".join(text.translate(_SAME_MARKS).casefold().split())


def check_quote(post: Post, quote: str) -> None:
    """A weave's short quote must be the cited post's own words, as its readers see them
    (plain words, not its Markdown: `plain_words`), give or take case, spacing and which quote
    marks; empty quotes the post's opening. FacilitateError beside the quote's field."""
    if is_blank(quote):
        return
    words = _comparable(quote).strip(_AROUND)
    if not words or words not in _comparable(plain_words(post.body)):
        raise FacilitateError(f"That quote isn't in {post.author.name}'s post: copy the words "
                              "from it, or leave it empty to use its opening.",
                              f"quote_{post.id}")


def weave(cohort: Cohort, etivity: Etivity, actor: User, title: str, body: str,
          cited: list[tuple[Post, str]], at: datetime,
          submission_key: str | None = None) -> Thread:
    """A summary that draws posts together, citing each (link and a short quote); it is
    pinned at the top of the e-tivity. The form's `submission_key` goes in the audit entry:
    the same form sent twice at once stores one (the second gets an IntegrityError)."""
    if is_blank(title):
        raise FacilitateError("Give the summary a title.", "title")
    if is_blank(body):
        raise FacilitateError("Write the summary itself: what the posts you cite add up to.",
                              "body")
    if not cited:
        raise FacilitateError("Choose at least one post to cite.", "cited")
    if len({post.id for post, _ in cited}) > MOST_CITED:
        raise FacilitateError(f"Cite at most {MOST_CITED} posts: a summary draws out the few "
                              "that matter most.", "cited")
    unique: dict[int, tuple[Post, str]] = {}
    for post, quote in cited:
        check_post_in(cohort, post)
        if post.thread.etivity_id != etivity.id or post.thread.kind == ThreadKind.WEAVE:
            raise FacilitateError("Cite posts from this e-tivity's conversations only.", "cited")
        if not post.visible:
            raise FacilitateError(f"The post by {post.author.name} is hidden or withdrawn; "
                                  "cite another.", "cited")
        check_quote(post, quote)
        unique.setdefault(post.id, (post, quote))
    cited = list(unique.values())
    try:
        title = discussions.check_title(title)
        body = discussions.check_body(body)
    except discussions.PostError as error:
        raise FacilitateError(str(error), error.field) from None
    thread = weaves.store(cohort, etivity, actor, title, body, cited, at)
    record(cohort, actor, AuditAction.WEAVE, f"Wove a summary “{title}” citing {len(cited)} "
           f"posts in “{etivity.title}”", at, target=f"thread {thread.id}", intervention=True,
           detail={"cited": [p.id for p, _ in cited]}, submission_key=submission_key)
    return thread


@dataclass(frozen=True)
class PostLink:
    post: Post
    page: int  # the page of its thread the post is on


CANDIDATES_PER_PAGE = 20  # posts to choose from on a page (a weave's, a toolkit section's)


def _weavable(cohort: Cohort, etivity: Etivity):
    """The e-tivity's shown posts a weave can cite, thread by thread, oldest first."""
    return (select(Post).join(Thread, Thread.id == Post.thread_id)
            .where(Thread.cohort_id == cohort.id, Thread.etivity_id == etivity.id,
                   Thread.kind != ThreadKind.WEAVE, shown())
            .order_by(Thread.created_at, Thread.id, Post.id)
            .options(selectinload(Post.author), selectinload(Post.thread)))


def _links(posts: list[Post]) -> list[PostLink]:
    pages = pages_of(posts)
    return [PostLink(p, pages[p.id]) for p in posts]


def weavable_page(cohort: Cohort, etivity: Etivity, number: int | None
                  ) -> tuple[Pagination, list[PostLink]]:
    """A page of the posts `_weavable` finds, each with the page of its thread it is on (a
    page past the end shows the last one): a weave's posts to cite, a toolkit section's to
    choose its current version from."""
    page = paginate(_weavable(cohort, etivity), number, CANDIDATES_PER_PAGE)
    return page, _links(page.items)


def weavable_chosen(cohort: Cohort, etivity: Etivity, ids: set[int]) -> list[PostLink]:
    """The posts among `ids` a weave can cite (ticked on other pages of the form), in the
    order `_weavable` lists them; ids of other posts are left out."""
    if not ids:
        return []
    return _links(list(db.session.scalars(_weavable(cohort, etivity).where(Post.id.in_(ids)))))
