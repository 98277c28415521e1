"""E-moderating a cohort: hide and show posts, pin and lock threads, weave summaries, open
stages early and mark e-tivities complete, nudge learners, the reading view and the audit log.

Every route is for the cohort's facilitators and admins: `_facilitated` sends anonymous
visitors to log in, answers 404 outside the cohort and 403 to its learners and reviewers.
Posts, threads and e-tivities named in the URL must belong to the cohort (404 otherwise).
Each POST makes one service call, commits once and redirects.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import mail, permissions
from ..auth.models import User
from ..clock import utcnow
from ..cohorts.models import Cohort
from ..courses.models import Etivity
from ..discussions import services as discussions
from ..discussions.lookups import etivity_or_404, post_or_404, thread_or_404
from ..discussions.models import Post
from ..extensions import db
from . import bp, queries, services
from .forms import (AuditFilterForm, ButtonForm, CompleteByHandForm, HidePostForm, NudgeForm,
                    OpenEtivityForm, OpenStageForm, RecipientsForm, TemplateChoiceForm,
                    ThreadFlagsForm, WeaveForm)
from .messages import TEMPLATES
from .services import FacilitateError

# The discussion pages show weaves through this global (discussions sits below facilitate,
# so its views don't import from here; its templates include facilitate/moderate/_weaves.html).
bp.add_app_template_global(queries.weaves, "weaves_for")

# What each audit action is called in the log's filter.
ACTION_WORDS = {
    "hide": "Hid a post", "show": "Showed a post again", "pinned": "Pinned or unpinned",
    "locked": "Locked or unlocked", "weave": "Wove a summary", "nudge": "Nudged learners",
    "open-early": "Opened early", "complete-by-hand": "Marked complete by hand",
    "welcome": "Welcome message", "state": "Changed the cohort's state",
    "settings": "Changed settings", "key": "New enrolment key", "invite": "Invited people",
    "invite-link": "Made an invite link", "invite-revoked": "Revoked an invite",
    "staff": "Added staff", "remove": "Removed someone", "open": "Opened the cohort",
}


# ---- loading and authorising --------------------------------------------------

def _facilitated(cohort_id: int) -> Cohort:
    return permissions.cohort_or_404(cohort_id, allowed=permissions.can_facilitate)


def _post_url(cohort: Cohort, post: Post) -> str:
    position = [p.id for p in post.thread.posts].index(post.id)
    return url_for("discussions.thread", cohort_id=cohort.id, thread_id=post.thread_id,
                   page=discussions.page_for_position(position), _anchor=f"post-{post.id}")


def _field_error(form, error: FacilitateError, default: str | None = None) -> None:
    """Show a service's message beside the field it names, or above the form."""
    field = getattr(form, error.field or default or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# ---- hiding and showing posts, pinning and locking threads ----------------------

@bp.route("/cohorts/<int:cohort_id>/posts/<int:post_id>/hide", methods=["GET", "POST"])
@login_required
def hide_post(cohort_id: int, post_id: int):
    """GET asks why (the page is the "are you sure?"); POST hides the post."""
    cohort = _facilitated(cohort_id)
    post = post_or_404(cohort, post_id)
    if not post.visible:
        flash("That post is already hidden." if post.hidden_at else
              "Its author has already withdrawn that post.", "info")
        return redirect(_post_url(cohort, post))
    form = HidePostForm()
    if form.validate_on_submit():
        try:
            services.hide_post(cohort, post, current_user, form.reason.data or "", utcnow())
        except FacilitateError as error:
            db.session.rollback()
            _field_error(form, error, "reason")
        else:
            db.session.commit()
            flash(f"The post is hidden. {post.author.name} can see it and your reason; "
                  "everyone else sees a short notice.", "success")
            return redirect(_post_url(cohort, post))
    return render_template("facilitate/moderate/hide.html", cohort=cohort, post=post,
                           thread=post.thread, form=form, back=_post_url(cohort, post)), \
        400 if form.errors else 200


@bp.post("/cohorts/<int:cohort_id>/posts/<int:post_id>/show")
@login_required
def show_post(cohort_id: int, post_id: int):
    cohort = _facilitated(cohort_id)
    post = post_or_404(cohort, post_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        services.show_post(cohort, post, current_user, utcnow())
    except FacilitateError as error:
        db.session.rollback()
        flash(str(error), "info")
    else:
        db.session.commit()
        flash(f"{post.author.name}’s post is shown again, to everyone.", "success")
    return redirect(_post_url(cohort, post))


@bp.post("/cohorts/<int:cohort_id>/threads/<int:thread_id>/flags")
@login_required
def thread_flags(cohort_id: int, thread_id: int):
    cohort = _facilitated(cohort_id)
    thread = thread_or_404(cohort, thread_id)
    form = ThreadFlagsForm()
    pinned, locked = form.flag(form.pinned), form.flag(form.locked)
    if not form.validate_on_submit() or (pinned is None and locked is None):
        abort(400)
    services.set_thread_flags(cohort, thread, current_user, utcnow(), pinned=pinned,
                              locked=locked)
    db.session.commit()
    words = []
    if pinned is not None:
        words.append(f"“{thread.title}” is pinned to the top of the list." if pinned else
                     f"“{thread.title}” is no longer pinned.")
    if locked is not None:
        words.append("It is locked: everyone can still read it, but nobody can reply." if locked
                     else "It is unlocked: replies are open again.")
    flash(" ".join(words), "success")
    if form.back.data == "etivity" and thread.etivity_id is not None:
        etivity = db.session.get(Etivity, thread.etivity_id)
        return redirect(url_for("discussions.etivity", cohort_id=cohort.id, slug=etivity.slug,
                                _anchor="threads"))
    return redirect(url_for("discussions.thread", cohort_id=cohort.id, thread_id=thread.id))


# ---- weaving -------------------------------------------------------------------

@bp.route("/cohorts/<int:cohort_id>/e/<slug>/weave", methods=["GET", "POST"])
@login_required
def weave(cohort_id: int, slug: str):
    cohort = _facilitated(cohort_id)
    etivity = etivity_or_404(cohort, slug)
    links = queries.weavable_posts(cohort, etivity)
    form = WeaveForm.for_posts([link.post for link in links])
    if links and form.validate_on_submit():
        try:
            services.weave(cohort, etivity, current_user, form.title.data or "",
                           form.body.data or "", form.cited([link.post for link in links]),
                           utcnow())
        except FacilitateError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(f"Your summary is up: everyone sees it at the top of “{etivity.title}”.",
                  "success")
            return redirect(url_for("discussions.etivity", cohort_id=cohort.id,
                                    slug=etivity.slug, _anchor="weaves"))
    return render_template("facilitate/moderate/weave.html", cohort=cohort, etivity=etivity,
                           links=links, form=form), 400 if form.errors else 200


# ---- overrides -----------------------------------------------------------------

@bp.route("/cohorts/<int:cohort_id>/overrides", methods=["GET", "POST"])
@login_required
def overrides(cohort_id: int):
    """Open a stage or an e-tivity early; mark an e-tivity complete by hand. Three forms on
    one page; the hidden field `which` says which was sent."""
    cohort = _facilitated(cohort_id)
    learners = queries.learner_choices(cohort)
    etivities = cohort.course.active_etivities
    sent = request.form.get("which") if request.method == "POST" else None

    def build(cls, prefix, **kw):
        formdata = None if sent != prefix else request.form
        return cls.with_choices(learners, etivities, prefix=prefix, formdata=formdata, **kw)

    forms = {
        "stage": build(OpenStageForm, "stage", stages=cohort.course.stages, everyone=True),
        "etivity": build(OpenEtivityForm, "etivity", everyone=True),
        "complete": build(CompleteByHandForm, "complete"),
    }
    if request.method == "GET":
        chosen = request.args.get("learner", "")
        if chosen in {str(u.id) for u in learners}:
            for form in forms.values():
                form.learner.data = chosen
    elif sent not in forms:
        abort(400)
    elif forms[sent].validate_on_submit():
        response = _override(cohort, sent, forms[sent], {u.id: u for u in learners},
                             {e.id: e for e in etivities})
        if response is not None:
            return response
    opened, by_hand = queries.overrides(cohort)
    failed = any(form.errors for form in forms.values())
    return render_template("facilitate/moderate/overrides.html", cohort=cohort, forms=forms,
                           learners=learners, opened=opened, by_hand=by_hand), \
        400 if failed else 200


def _override(cohort: Cohort, kind: str, form, learners: dict[int, User],
              etivities: dict[int, Etivity]):
    """Ask first where it can't be undone (everyone, or a completion), then do it."""
    learner = learners.get(int(form.learner.data)) if form.learner.data.isdigit() else None
    etivity = (etivities.get(int(form.etivity.data))
               if hasattr(form, "etivity") and form.etivity.data.isdigit() else None)
    who = learner.name if learner else "everyone"
    if kind == "stage":
        what = f"stage {form.stage.data}"
    else:
        what = f"“{etivity.title}”" if etivity else "that e-tivity"
    if not form.confirmed and (learner is None or kind == "complete"):
        if kind == "complete":
            question = f"Mark {what} complete for {who}?"
            detail = (f"It will show as done by hand, by you, on {who}’s course map and "
                      "progress. Completion is kept for good, so this can't be undone.")
            button = "Yes, mark it complete"
        else:
            question = f"Open {what} early for everyone?"
            detail = ("Every learner in the cohort, including anyone who joins later, can "
                      "enter it now, whatever they have completed. This can't be undone.")
            button = "Yes, open it for everyone"
        return render_template("facilitate/moderate/confirm.html", cohort=cohort, form=form,
                               kind=kind, question=question, detail=detail, button=button)
    now = utcnow()
    try:
        if kind == "complete":
            services.mark_complete(cohort, current_user, learner, etivity, now)
            message = f"{what} is marked complete for {who}, by hand."
        elif kind == "stage":
            services.open_early(cohort, current_user, now, stage_number=int(form.stage.data),
                                learner=learner)
            message = f"Stage {form.stage.data} is open for {who} now."
        else:
            services.open_early(cohort, current_user, now, etivity=etivity, learner=learner)
            message = f"{what} is open for {who} now."
    except FacilitateError as error:
        db.session.rollback()
        _field_error(form, error, "learner")
        return None
    db.session.commit()
    flash(message[0].upper() + message[1:], "success")
    return redirect(url_for(".overrides", cohort_id=cohort.id))


# ---- nudges --------------------------------------------------------------------

def _who(args) -> str:
    """`who` is "learner:ID" or "group:NAME"; ?learner=ID and ?group=NAME say the same."""
    if args.get("who"):
        return args["who"]
    if args.get("learner"):
        return f"learner:{args['learner']}"
    if args.get("group"):
        return f"group:{args['group']}"
    return ""


def _recipients(cohort: Cohort, who: str, stage: str, learners: list[User], now):
    """The learners chosen and the group in words; FacilitateError if the choice is wrong."""
    kind, _, value = who.partition(":")
    number = int(stage) if stage.isdigit() and 1 <= int(stage) <= 5 else None
    if kind == "learner":
        learner = next((u for u in learners if str(u.id) == value), None)
        if learner is None:
            raise FacilitateError("Choose who to write to: that learner is not in this "
                                  "cohort.", "who")
        return [learner], ""
    if kind != "group" or value not in queries.GROUPS:
        raise FacilitateError("Choose who to write to.", "who")
    if value == "in-stage" and number is None:
        raise FacilitateError("Choose a stage for “learners now in a stage”.", "stage")
    words = queries.GROUPS[value]
    if number and value not in ("all", "in-stage"):
        words += f", in stage {number}"
    elif value == "in-stage":
        words = f"learners now in stage {number}"
    return queries.learners_in_group(cohort, value, now, number), words


@bp.route("/cohorts/<int:cohort_id>/nudge", methods=["GET", "POST"])
@login_required
def nudge(cohort_id: int):
    """Two steps, so nothing is sent by surprise: choose who (a GET that previews the
    names), then write and send to exactly the people previewed."""
    cohort = _facilitated(cohort_id)
    now = utcnow()
    learners = queries.learner_choices(cohort)
    args = request.form if request.method == "POST" else request.args
    who, stage = _who(args), args.get("stage", "")
    chooser = RecipientsForm.with_choices(who, stage, queries.GROUPS, learners)
    recipients, group_words, status = None, "", 200
    if who:
        try:
            recipients, group_words = _recipients(cohort, who, stage, learners, now)
        except FacilitateError as error:
            _field_error(chooser, error)
            status = 400
    form = NudgeForm()
    changed = False
    if request.method == "POST":
        if recipients is not None and form.validate_on_submit():
            if {u.id for u in recipients} != form.previewed():
                changed = True
            else:
                try:
                    mails = services.nudge(cohort, current_user, recipients,
                                           form.text.data or "", now, group=group_words)
                except FacilitateError as error:
                    db.session.rollback()
                    _field_error(form, error, "text")
                else:
                    db.session.commit()
                    emailed = mail.send(mails) if mail.enabled() else 0
                    flash(f"Sent to {_plural(len(recipients), 'learner', 'learners')}"
                          + (", in the app and by email." if emailed else ".")
                          + " It is in the audit log as an intervention.", "success")
                    return redirect(url_for(".nudge", cohort_id=cohort.id))
        status = 400
    else:
        template = request.args.get("template", type=int)
        if template and 1 <= template <= len(TEMPLATES):
            form.text.data = TEMPLATES[template - 1][1]
            form.template_used.data = str(template)
    if recipients:
        form.who.data, form.stage.data = who, stage
        form.recipients.data = ",".join(str(u.id) for u in recipients)
    chosen = form.template_used.data or ""
    return render_template(
        "facilitate/moderate/nudge.html", cohort=cohort, chooser=chooser, form=form,
        recipients=recipients, group_words=group_words, changed=changed, who=who, stage=stage,
        picker=TemplateChoiceForm.with_templates(TEMPLATES,
                                                 int(chosen) if chosen.isdigit() else None),
        learners=learners, mail_enabled=mail.enabled(),
    ), status


# ---- reading view and audit log ---------------------------------------------------

@bp.get("/cohorts/<int:cohort_id>/e/<slug>/reading")
@login_required
def reading(cohort_id: int, slug: str):
    cohort = _facilitated(cohort_id)
    etivity = etivity_or_404(cohort, slug)
    rows = queries.reading_view(cohort, etivity)
    return render_template("facilitate/moderate/reading.html", cohort=cohort, etivity=etivity,
                           rows=rows, anyone_read=any(r.posts_read for r in rows))


@bp.get("/cohorts/<int:cohort_id>/audit")
@login_required
def audit(cohort_id: int):
    cohort = _facilitated(cohort_id)
    form = AuditFilterForm(formdata=request.args)
    actions = queries.audit_actions(cohort)
    form.action.choices = [("", "All actions")] + [(a, ACTION_WORDS.get(a, a)) for a in actions]
    action = form.action.data if form.action.data in actions else None
    log = queries.audit_log(cohort, request.args.get("page", 1, type=int), action=action,
                            interventions_only=bool(form.interventions.data))
    filters = {k: v for k, v in (("action", action),
                                 ("interventions", "y" if form.interventions.data else None)) if v}
    return render_template("facilitate/moderate/audit.html", cohort=cohort, form=form, log=log,
                           filters=filters, filtered=bool(filters), words=ACTION_WORDS)
