"""A conversation with its posts, a page at a time, and the reply form; the cohort's help
conversation. The only write on a GET is `services.mark_shown`, and only when the page was
opened as a page (`inputs.opened_as_page`), not pulled in as a picture."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import DBAPIError, IntegrityError

from .. import database, drafts, permissions
from ..clock import utcnow
from ..cohorts.models import Cohort
from ..courses.models import Etivity
from ..extensions import db
from ..inputs import as_id, opened_as_page, page_arg
from ..progress.rules import EtivityState, StageStatus
from ..progress.standing import etivity_access
from . import bp, reading, services, weaves
from .forms import ReplyForm
from .lookups import thread_or_404
from .models import Post, Thread, ThreadKind
from .pages import POST_FIRST_MESSAGE, REPEATED, cohort_or_404, redirect_to_post, refuse_locked


def _reply_target(thread: Thread, raw: str | int | None) -> Post | None:
    """The post being answered, if it is a visible post of this thread."""
    post_id = as_id(raw)
    if post_id is None:
        return None
    post = db.session.get(Post, post_id)
    if post is None or post.thread_id != thread.id or not post.visible:
        return None
    return post


def _post_in(thread: Thread, raw: str | None) -> Post | None:
    """A post of this thread named by `?post=`, shown or not (a hidden post's notice links
    its author to it); None for anything else."""
    post_id = as_id(raw)
    post = db.session.get(Post, post_id) if post_id is not None else None
    return post if post is not None and post.thread_id == thread.id else None


def _locked_stages(cohort: Cohort, etivity: Etivity | None) -> dict[int, StageStatus] | None:
    """A learner's stages when `etivity` is locked for them (to say why), else None: all a
    thread page needs of their standing."""
    if etivity is None or etivity.retired or not permissions.is_learner(current_user, cohort):
        return None
    state, stages = etivity_access(cohort, current_user.id, etivity, utcnow().date())
    return stages if state == EtivityState.LOCKED else None


def _render_thread(cohort: Cohort, thread: Thread, etivity: Etivity | None, page: int | None,
                   form: ReplyForm | None, replying_to: Post | None, status: int = 200):
    """One page of the thread (the last when `page` is None); a GET that opened it as a page
    records it as read."""
    posts = reading.posts_page(thread, page)
    first_unread = reading.first_unread_post(thread, current_user)
    opening = reading.opening_post(thread)
    parents = [p.parent for p in posts.items if p.parent is not None]
    read = reading.read_post_ids(current_user, posts.items)
    html = render_template(
        "discussions/thread.html", cohort=cohort, thread=thread, etivity=etivity, posts=posts,
        opening_id=opening.id if opening is not None else None,
        parent_pages=reading.pages_of(parents),
        read=read, unread_post=first_unread,
        unread_page=reading.page_of_post(first_unread) if first_unread is not None else None,
        facilitators=reading.facilitator_ids(cohort), form=form, replying_to=replying_to,
        replying_to_page=reading.page_of_post(replying_to) if replying_to is not None else None,
        weaves=weaves.weaves(cohort, thread=thread) if thread.kind == ThreadKind.WEAVE else [],
    )
    if request.method == "GET" and opened_as_page():
        try:
            services.mark_shown(thread, current_user, posts.items, utcnow(), seen=read)
            db.session.commit()
        except IntegrityError:  # the same page opened twice at once: the other recorded it
            db.session.rollback()
        except DBAPIError as error:
            # The database can't take the write now: the reader still reads, and what they
            # were shown is recorded on a later visit (it stays unread until then).
            if not database.is_busy(error):
                raise
            db.session.rollback()
            current_app.logger.warning("database busy: reads on %s not recorded this time",
                                       request.path)
    return html, status


@bp.route("/cohorts/<int:cohort_id>/threads/<int:thread_id>", methods=["GET", "POST"])
@drafts.login_required_keeping_drafts
def thread(cohort_id: int, thread_id: int):
    cohort = cohort_or_404(cohort_id)
    thread = thread_or_404(cohort, thread_id)
    etivity = thread.etivity
    locked = _locked_stages(cohort, etivity)
    if locked is not None:
        return refuse_locked(cohort, etivity, locked)
    if (etivity is not None and thread.author_id != current_user.id
            and reading.must_post_first(cohort, etivity, current_user)):
        flash(POST_FIRST_MESSAGE, "info")
        return redirect(url_for(".etivity", cohort_id=cohort.id, slug=etivity.slug,
                                _anchor="start"))
    form = ReplyForm() if permissions.can_reply(current_user, thread) else None
    if request.method == "POST":
        if form is None:
            abort(403, services.refusal(current_user, cohort, thread))
        return _send_reply(cohort, thread, etivity, form)
    return _show_thread(cohort, thread, etivity, form)


def _send_reply(cohort: Cohort, thread: Thread, etivity: Etivity | None, form: ReplyForm):
    if form.validate_on_submit():
        key = form.submission_key.data or None
        try:
            services.take_turn(current_user, cohort, thread)
            parent = None
            if form.parent_id.data:
                parent_id = as_id(form.parent_id.data)
                parent = db.session.get(Post, parent_id) if parent_id is not None else None
                if parent is None:
                    raise services.PostError("That post is not in this conversation.")
            now = utcnow()
            post = (services.find_repeat(current_user, now, form.body.data, thread=thread,
                                         parent=parent)
                    or services.reply(thread, current_user, form.body.data, now, parent=parent,
                                      submission_key=key))
            db.session.commit()
        except services.PostRefused as refused:
            abort(403, str(refused))
        except services.PostError as error:
            db.session.rollback()
            form.body.errors.append(str(error))
        except IntegrityError:  # the same form sent twice at once: the other one won
            db.session.rollback()
            post = services.find_submission(current_user, key)
            if post is None:
                raise
            return redirect_to_post(cohort, post)
        else:
            flash(REPEATED if post.submission_key != key else "Your reply is posted.", "success")
            return redirect_to_post(cohort, post)
    replying_to = _reply_target(thread, form.parent_id.data)
    return _render_thread(cohort, thread, etivity, None, form, replying_to, 400)


def _show_thread(cohort: Cohort, thread: Thread, etivity: Etivity | None, form: ReplyForm | None):
    """Without ?page, open at the first unread post (or the post being answered, or the end)."""
    reply_to = as_id(request.args.get("reply_to"))
    draft = drafts.pop() if form is not None else None
    if draft:
        form.body.data = draft.get("body", "")
        form.submission_key.data = draft.get("submission_key") or form.submission_key.data
        if as_id(draft.get("parent_id")) is not None:
            reply_to = as_id(draft["parent_id"])
    replying_to = _reply_target(thread, reply_to) if form is not None else None
    if form is not None:
        form.ensure_key()
        form.parent_id.data = str(replying_to.id) if replying_to is not None else ""

    page = page_arg(default=None)
    shown = _post_in(thread, request.args.get("post"))
    if page is None:
        if shown is not None:  # a link to one post (reading.post_path): the page it is on
            page = reading.page_of_post(shown)
        elif replying_to is not None:  # show the post being answered above the form
            page = reading.page_of_post(replying_to)
        elif draft is None:
            unread = reading.first_unread_post(thread, current_user)
            if unread is not None:
                return redirect_to_post(cohort, unread)
        # otherwise (everything read, or a kept draft) the latest posts: page stays None
    return _render_thread(cohort, thread, etivity, page, form, replying_to)


@bp.get("/cohorts/<int:cohort_id>/help")
@drafts.login_required_keeping_drafts
def help(cohort_id: int):
    cohort = permissions.cohort_or_404(cohort_id)
    thread = reading.help_thread(cohort)
    if thread is None:
        flash("This cohort's Ask for help conversation isn't set up yet. Your facilitator can "
              "open it; until then, ask them directly.", "info")
        return redirect(url_for("learner.map", cohort_id=cohort.id))
    return redirect(url_for(".thread", cohort_id=cohort.id, thread_id=thread.id))
