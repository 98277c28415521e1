"""Joining a cohort (with its enrolment key or an invite link) and the cohort's course map."""

from dataclasses import dataclass
from datetime import date

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, user_logged_in

from ..auth.models import User
from ..clock import utcnow
from ..courses.models import Etivity
from ..discussions import services as discussions
from ..extensions import db, limiter
from ..permissions import can_facilitate, cohort_or_404, is_learner, role_in
from ..progress import rules
from ..progress.rules import EtivityState, StageStatus
from ..progress.services import LearnerProgress, learner_progress
from . import bp, services
from .forms import EnrolForm, JoinForm
from .models import Cohort
from .services import AlreadyEnrolled, EnrolError


@bp.app_template_filter("long_date")
def long_date(day: date | None) -> str:
    """12 January 2027 (a calendar day, so no time zone to convert)."""
    return rules.long_date(day) if day else ""


@bp.app_template_filter("short_date")
def short_date(day: date | None) -> str:
    """Tue 3 Feb."""
    return f"{day:%a} {day.day} {day:%b}" if day else ""


# ---- joining -------------------------------------------------------------------

def _enrol_limit_key() -> str:
    if current_user.is_authenticated:
        return f"enrol:user:{current_user.id}"
    return f"enrol:ip:{request.remote_addr}"


def _welcome(cohort: Cohort):
    flash(f"Welcome to {cohort.name}! This is your course map: start with stage 1.", "success")
    return redirect(url_for("cohorts.map", cohort_id=cohort.id))


def _already_in(error: AlreadyEnrolled):
    flash(str(error), "info")
    return redirect(url_for("cohorts.map", cohort_id=error.membership.cohort_id))


@bp.route("/enrol", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["ENROL_RATE_LIMIT"],
               key_func=_enrol_limit_key, methods=["POST"])
@login_required
def enrol():
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            membership = services.enrol_with_key(form.key.data, current_user, utcnow())
        except AlreadyEnrolled as e:
            return _already_in(e)
        except EnrolError as e:
            form.key.errors.append(str(e))
        else:
            db.session.commit()
            return _welcome(membership.cohort)
    return render_template("cohorts/enrol.html", form=form), 400 if form.errors else 200


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invite(token: str):
    """GET shows what the invitation is for and a "Join" button; POST joins.

    Someone not logged in is sent to log in (or register); the link waits in their session
    and they land enrolled on the course map (see `_join_pending_invite`).
    """
    now = utcnow()
    try:
        invitation = services.usable_invite(token, now)
    except EnrolError as e:
        return render_template("cohorts/invite.html", invitation=None, problem=str(e),
                               form=None), 404
    if not current_user.is_authenticated:
        session[PENDING_INVITE] = token
        flash(f"You're invited to join {invitation.cohort.name}. Log in, or create an "
              "account, and we'll take you there.", "info")
        return redirect(url_for("auth.login", next=request.path))
    form = JoinForm()
    try:
        if form.validate_on_submit():
            membership = services.enrol_with_invite(token, current_user, now)
            db.session.commit()
            return _welcome(membership.cohort)
        services.check_enrolment(invitation.cohort, current_user)
    except AlreadyEnrolled as e:
        if session.pop(JUST_JOINED, None) == e.membership.cohort_id:
            # Enrolled a moment ago by logging in (see _join_pending_invite): no "already in".
            return redirect(url_for("cohorts.map", cohort_id=e.membership.cohort_id))
        return _already_in(e)
    except EnrolError as e:
        return render_template("cohorts/invite.html", invitation=invitation, problem=str(e),
                               form=None), 403
    return render_template("cohorts/invite.html", invitation=invitation, problem=None, form=form,
                           facilitators=services.facilitators_of(invitation.cohort))


PENDING_INVITE = "pending_invite"
JUST_JOINED = "joined_by_invite"


@user_logged_in.connect
def _join_pending_invite(app, user, **_extra):
    """Logging in or registering after following an invite link enrols you (a POST, so a
    write is fine). The login then returns to the invite link, which goes on to the map,
    or, if the link stopped working meanwhile, explains why on its own page."""
    token = session.pop(PENDING_INVITE, None)
    if not token:
        return
    try:
        membership = services.enrol_with_invite(token, user, utcnow())
    except EnrolError:  # already in, or the link no longer works: the invite page says so
        return
    db.session.commit()
    session[JUST_JOINED] = membership.cohort_id
    flash(f"Welcome to {membership.cohort.name}! This is your course map: start with stage 1.",
          "success")


# ---- the course map ------------------------------------------------------------

@dataclass(frozen=True)
class MapEtivity:
    etivity: Etivity
    state: EtivityState | None  # None: seen by staff, who can open everything
    by_hand: bool = False
    left: str = ""  # what is still needed, in words
    first_post_by: date | None = None
    replies_by: date | None = None

    @property
    def enterable(self) -> bool:
        return self.state != EtivityState.LOCKED


@dataclass(frozen=True)
class MapStep:
    number: int
    title: str
    summary: str
    items: list[MapEtivity]
    status: StageStatus | None = None  # None for staff
    lock: str = ""  # why it is locked, in words
    current: bool = False
    finished: bool = False
    opens_on: date | None = None  # the cohort's release date, where paced


def course_map(cohort: Cohort, standing: LearnerProgress | None, today: date) -> list[MapStep]:
    """The five steps with their e-tivities: a learner's own states, or (standing None)
    the cohort as its facilitators see it."""
    steps = []
    for stage in cohort.course.stages:
        release = cohort.release_date(stage.number)
        if standing is None:
            items = [MapEtivity(e, None, first_post_by=_day(release, e.first_post_day),
                                replies_by=_day(release, e.replies_day))
                     for e in cohort.course.etivities_in(stage.number)]
            steps.append(MapStep(stage.number, stage.title, stage.summary, items,
                                 opens_on=release))
            continue
        status = standing.stages[stage.number]
        opened = standing.opened_on.get(stage.number)
        items = []
        for p in standing.in_stage(stage.number):
            open_ = p.state == EtivityState.OPEN
            items.append(MapEtivity(
                p.etivity, p.state, p.by_hand,
                rules.describe_left(p.etivity.rule, p.counts) if open_ else "",
                _day(opened, p.etivity.first_post_day) if open_ else None,
                _day(opened, p.etivity.replies_day) if open_ else None,
            ))
        finished = status.open and all(i.state == EtivityState.COMPLETE
                                       for i in items if i.etivity.required)
        steps.append(MapStep(stage.number, stage.title, stage.summary, items, status,
                             rules.describe_lock(status, today),
                             stage.number == standing.current_stage, finished and bool(items),
                             release))
    return steps


def _day(opened_on: date | None, day: int | None) -> date | None:
    return rules.day_of(opened_on, day) if opened_on and day else None


@dataclass(frozen=True)
class Check:
    label: str
    done: bool
    todo: str = ""  # what to do when it isn't done yet
    href: str | None = None


def profile_set(user: User) -> bool:
    """A display name and a line about yourself: what stage 1 asks of a profile."""
    return bool((user.name or "").strip() and (user.about or "").strip())


def onboarding(cohort: Cohort, user: User, standing: LearnerProgress) -> list[Check]:
    """Stage 1's checks after Salmon's technical support for access: each ticks itself."""
    step = standing.next_step
    first_post = (url_for("discussions.etivity", cohort_id=cohort.id, slug=step.etivity.slug)
                  if step else None)
    return [
        Check("Log in", True),
        Check("Set up your profile", profile_set(user),
              "Add your display name and a line about yourself.", url_for("auth.profile")),
        Check("Make your first post", discussions.posted_in_cohort(cohort, user),
              "Introduce yourself: a few sentences is plenty.", first_post),
        Check("Find where to ask for help", discussions.has_read_help(cohort, user),
              "Open the help thread: the facilitators read it every day.",
              url_for("discussions.help", cohort_id=cohort.id)),
    ]


def _next_item(steps: list[MapStep], standing: LearnerProgress | None) -> MapEtivity | None:
    """The map's entry for the learner's next step (LearnerProgress.next_step)."""
    step = standing.next_step if standing else None
    if step is None:
        return None
    return next((i for s in steps for i in s.items if i.etivity.id == step.etivity.id), None)


def _waiting(steps: list[MapStep]) -> MapStep | None:
    """The first locked step, when a learner has nothing open to do until it opens."""
    return next((s for s in steps if s.status is not None and not s.status.open), None)


@bp.get("/cohorts/<int:cohort_id>")
@login_required
def map(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    today = utcnow().date()
    standing = (learner_progress(cohort, current_user.id, today)
                if is_learner(current_user, cohort) else None)
    steps = course_map(cohort, standing, today)
    checklist = onboarding(cohort, current_user, standing) if standing else []
    show_checklist = bool(standing) and (standing.current_stage == 1
                                         or not all(c.done for c in checklist))
    return render_template(
        "cohorts/map.html", cohort=cohort, standing=standing, steps=steps,
        next_item=_next_item(steps, standing), waiting=_waiting(steps),
        checklist=checklist if show_checklist else [],
        role=role_in(current_user, cohort), facilitating=can_facilitate(current_user, cohort),
        learners=services.learner_count(cohort) if not standing else None,
    )
