"""Everything the app holds about one person, as JSON they can take away: their profile,
cohorts, posts (with earlier versions), progress, notifications, email choices (with the
chosen time zone), calendar links, logins and API tokens.

Never a secret: no password hash, no login key, no token (only its name and first
characters). Other people appear only as they do on the pages this person can see: a post's
thread title, an e-tivity's title.
"""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth.models import ApiToken, LoginSession, User
from ..cohorts.models import Cohort, MemberRole, Membership
from ..discussions.models import Post, Thread
from ..extensions import db
from ..feeds.models import CalendarFeed
from ..mailings import preferences
from ..notifications.models import Notification
from ..progress.models import Activity
from ..progress.standing import learner_progress
from ..toolkit.models import ToolkitConsent

FORMAT = "Staircase account data, version 1"


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _profile(user: User) -> dict:
    return {"name": user.name, "email": user.email, "about": user.about,
            "role": user.role.value, "created_at": _when(user.created_at),
            "last_login_at": _when(user.last_login_at)}


def _posts(user: User) -> list[dict]:
    rows = db.session.execute(
        select(Post, Thread, Cohort).join(Thread, Thread.id == Post.thread_id)
        .join(Cohort, Cohort.id == Thread.cohort_id).where(Post.author_id == user.id)
        .options(selectinload(Post.revisions)).order_by(Post.created_at, Post.id)).all()
    return [{
        "id": post.id, "cohort": cohort.name, "thread": thread.title,
        "started_the_thread": post.parent_id is None and thread.author_id == user.id,
        "in_reply_to_post": post.parent_id, "text": post.body,
        "written_at": _when(post.created_at), "edited_at": _when(post.edited_at),
        "withdrawn_at": _when(post.deleted_at), "hidden_at": _when(post.hidden_at),
        "hidden_reason": post.hidden_reason,
        "earlier_versions": [{"text": r.body, "written_at": _when(r.created_at),
                              "replaced_at": _when(r.replaced_at)} for r in post.revisions],
    } for post, thread, cohort in rows]


def _progress(cohort: Cohort, user: User, today: date) -> dict:
    standing = learner_progress(cohort, user.id, today)
    return {
        "current_stage": standing.current_stage,
        "stages_open": sorted(n for n, s in standing.stages.items() if s.open),
        "etivities": [{
            "etivity": p.etivity.title, "stage": p.etivity.stage_number,
            "state": p.state.value,
            "read": p.counts.observe, "replied_to_peers": p.counts.interact,
            "started": p.counts.initiate,
            "completed_at": _when(p.completion.completed_at) if p.completion else None,
            "marked_complete_by_a_facilitator": p.by_hand,
        } for p in standing.etivities],
    }


def _cohorts(user: User, today: date) -> list[dict]:
    rows = db.session.execute(
        select(Cohort, Membership).join(Membership, Membership.cohort_id == Cohort.id)
        .where(Membership.user_id == user.id).order_by(Membership.joined_at)).all()
    named = dict(db.session.execute(select(ToolkitConsent.cohort_id, ToolkitConsent.given_at)
                                    .where(ToolkitConsent.user_id == user.id)).all())
    out = []
    for cohort, membership in rows:
        entry = {"cohort": cohort.name, "course": cohort.course.title,
                 "role": membership.role.value, "joined_at": _when(membership.joined_at),
                 "removed_at": _when(membership.removed_at),
                 "named_on_the_public_toolkit_since": _when(named.get(cohort.id))}
        if membership.role == MemberRole.LEARNER:
            entry["progress"] = _progress(cohort, user, today)
        out.append(entry)
    return out


def _activity(user: User) -> list[dict]:
    rows = db.session.execute(
        select(Activity).where(Activity.user_id == user.id)
        .order_by(Activity.created_at, Activity.id)).scalars()
    return [{"what": a.kind.value, "post": a.post_id, "at": _when(a.created_at),
             "counts": a.voided_at is None} for a in rows]


def _email_choices(user: User) -> dict:
    """Their choices on the email page (the defaults while they never chose)."""
    chosen = preferences.of(user.id)
    return {"replies": chosen.replies.value, "messages": chosen.messages.value,
            "stages": chosen.stages.value, "digest": chosen.digest.value,
            "morning_email": chosen.morning, "time_zone": chosen.time_zone,
            "last_digest_at": _when(chosen.last_digest_at)}


def account_data(user: User, now: datetime) -> dict:
    """The whole record, ready for json.dumps."""
    notifications = db.session.scalars(select(Notification).where(
        Notification.user_id == user.id).order_by(Notification.created_at, Notification.id))
    logins = db.session.scalars(select(LoginSession).where(
        LoginSession.user_id == user.id).order_by(LoginSession.created_at))
    tokens = db.session.scalars(select(ApiToken).where(
        ApiToken.user_id == user.id).order_by(ApiToken.created_at))
    feeds = db.session.execute(select(CalendarFeed.created_at, Cohort.name)
                               .join(Cohort, Cohort.id == CalendarFeed.cohort_id)
                               .where(CalendarFeed.user_id == user.id)
                               .order_by(CalendarFeed.created_at))
    return {
        "format": FORMAT,
        "exported_at": _when(now),
        "profile": _profile(user),
        "cohorts": _cohorts(user, now.date()),
        "posts": _posts(user),
        "activity": _activity(user),
        "notifications": [{"kind": n.kind.value, "text": n.text, "link": n.link,
                           "at": _when(n.created_at), "read_at": _when(n.read_at)}
                          for n in notifications],
        "email_choices": _email_choices(user),
        "calendar_links": [{"cohort": name, "made_at": _when(made)} for made, name in feeds],
        "logins": [{"started_at": _when(s.created_at), "expires_at": _when(s.expires_at)}
                   for s in logins],
        "api_tokens": [{"name": t.name, "starts_with": t.prefix, "created_at": _when(t.created_at),
                        "last_used_at": _when(t.last_used_at), "revoked_at": _when(t.revoked_at)}
                       for t in tokens],
    }
