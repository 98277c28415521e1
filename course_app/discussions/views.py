"""Discussion pages: an e-tivity with its conversations (a conversation with its posts and the
cohort's help conversation: thread_page.py; editing and withdrawing your own post:
own_posts.py; what they share: pages.py).

Every view loads the cohort through `permissions.cohort_or_404`, so other cohorts' threads
answer 404. POSTs from someone whose session ended, or with a stale CSRF token, keep the text
(see `course_app.drafts`). The only write on a GET is `services.mark_shown`, and only when the
thread was opened as a page (`inputs.opened_as_page`), not pulled in as a picture.
"""

from dataclasses import dataclass
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from .. import drafts, permissions
from ..clock import utcnow
from ..cohorts.models import Cohort
from ..courses.models import Etivity
from ..extensions import db
from ..inputs import page_arg
from ..progress import rules
from ..progress.rules import EtivityState
from ..progress.standing import (
    EtivityProgress,
    LearnerProgress,
    learner_progress,
)
from . import bp, reading, services, weaves
from .forms import PieceChoiceForm, ThreadForm
from .lookups import etivity_or_404
from .pages import REPEATED, cohort_or_404, refuse_locked

TEMPLATE_ACTIONS = ("use-template", "undo-template")  # the template list's two buttons
# Said when the words sent were already posted (services.find_repeat): here it is, once.


@dataclass(frozen=True)
class Standing:
    """Where the viewer stands in one e-tivity; `entry` is None for facilitators and reviewers."""

    entry: EtivityProgress | None = None
    learner: LearnerProgress | None = None

    @property
    def locked(self) -> bool:
        return self.entry is not None and self.entry.state == EtivityState.LOCKED


def _standing(cohort: Cohort, etivity: Etivity | None) -> Standing:
    if etivity is None or not permissions.is_learner(current_user, cohort):
        return Standing()
    learner = learner_progress(cohort, current_user.id, utcnow().date())
    entry = next((p for p in learner.etivities if p.etivity.id == etivity.id), None)
    return Standing(entry, learner)


def _day(value: date) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


# ---- the e-tivity page ---------------------------------------------------------

def _suggested_days(etivity: Etivity, standing: Standing) -> dict[str, str]:
    """"Day N" of the stage; for a learner whose stage has opened, its date and whether they
    have done it or the day has passed (`progress.rules.suggested_days`)."""
    entry, learner = standing.entry, standing.learner
    opened = learner.opened_on.get(etivity.stage_number) if learner is not None else None
    dates = rules.suggested_days(etivity.rule, etivity.first_post_day, etivity.replies_day,
                                 opened, entry.counts if entry else rules.Counts(),
                                 utcnow().date())
    days = {}
    for key, number, day, did in (("first_post", etivity.first_post_day, dates[0], "posted"),
                                  ("replies", etivity.replies_day, dates[1], "replied")):
        if not number:
            continue
        text = f"day {number}"
        if day is not None:
            text += f" ({_day(day.on)})"
            if day.done:
                text += f". You have {did}"
            elif day.passed:
                text += ". That day has passed, but it’s not too late"
        days[key] = text
    return days


@bp.route("/cohorts/<int:cohort_id>/e/<slug>", methods=["GET", "POST"])
@drafts.login_required_keeping_drafts
def etivity(cohort_id: int, slug: str):
    cohort = cohort_or_404(cohort_id)
    etivity = etivity_or_404(cohort, slug)
    standing = _standing(cohort, etivity)
    if standing.locked:
        return refuse_locked(cohort, etivity, standing.learner.stages)
    may_start = permissions.can_post(current_user, cohort)
    form = ThreadForm()
    if request.method == "POST":
        if not may_start:
            abort(403, services.refusal(current_user, cohort))
        if request.form.get("action") in TEMPLATE_ACTIONS:
            return _choose_template(cohort, etivity, standing, form)
        return _start_piece(cohort, etivity, standing, form)
    draft = drafts.pop()
    if draft:
        form.title.data = draft.get("title", "")
        form.body.data = draft.get("body", "")
        form.piece.data = draft.get("piece", "")
        form.submission_key.data = draft.get("submission_key") or form.submission_key.data
    elif request.args.get("piece"):  # a piece template chosen without JavaScript
        body = services.piece_body(etivity, request.args["piece"])
        if body is not None:
            form.piece.data = request.args["piece"]
            form.body.data = body
    return _render_etivity(cohort, etivity, standing, form if may_start else None)


def _choose_template(cohort: Cohort, etivity: Etivity, standing: Standing, form: ThreadForm):
    """"Use this template" and "Undo", sent without scripts: the form comes back with the
    template's text in the post (or the text from before it), everything else as typed.
    Nothing is stored. (With scripts, static/js/forms.js does this in place.)"""
    picker = PieceChoiceForm.for_etivity(etivity, None, formdata=request.form)
    if request.form["action"] == "undo-template":
        form.body.data, form.piece.data = form.undo_body.data or "", form.undo_piece.data or ""
        form.undo_body.data = form.undo_piece.data = ""
        return _render_etivity(cohort, etivity, standing, form, picker=picker,
                               note="Your post is back as you had written it.")
    body = services.piece_body(etivity, picker.template.data)
    if body is None:
        picker.template.errors = ["Choose a template from the list, then “Use this template”."]
        return _render_etivity(cohort, etivity, standing, form, 400, picker=picker)
    form.undo_body.data, form.undo_piece.data = form.body.data or "", form.piece.data or ""
    form.body.data, form.piece.data = body, picker.template.data
    return _render_etivity(cohort, etivity, standing, form, picker=picker, undo=True,
                           note=f"The “{picker.template.data}” template is in your post now.")


def _untouched(etivity: Etivity, form: ThreadForm) -> bool:
    """A post that is still only the template, not yet sent "as it is": say so beside it."""
    name = None if form.send_anyway.data else services.untouched_template(etivity,
                                                                          form.body.data)
    if name is None:
        return False
    form.body.errors.append(
        f"Your post is still the “{name}” template, with nothing of your own added. Fill it "
        "in with your own words, or tick “Send it as it is” below to send it anyway.")
    return True


def _start_piece(cohort: Cohort, etivity: Etivity, standing: Standing, form: ThreadForm):
    untouched = False
    if form.validate_on_submit() and not (untouched := _untouched(etivity, form)):
        key = form.submission_key.data or None
        try:
            services.take_turn(current_user, cohort)
            now = utcnow()
            earlier = services.find_repeat(current_user, now, form.body.data, cohort=cohort,
                                           etivity=etivity, title=form.title.data)
            thread = earlier.thread if earlier is not None else services.start_thread(
                cohort, etivity, current_user, form.title.data, form.body.data, now,
                piece=form.piece.data or None, submission_key=key)
            db.session.commit()
        except services.PostRefused as refused:
            abort(403, str(refused))
        except services.PostError as error:
            db.session.rollback()
            for field, message in error.problems.items():
                getattr(form, field).errors.append(message)
        except IntegrityError:  # the same form sent twice at once: the other one won
            db.session.rollback()
            earlier = services.find_submission(current_user, key)
            if earlier is None:
                raise
            return redirect(url_for(".thread", cohort_id=cohort.id, thread_id=earlier.thread_id))
        else:
            flash(REPEATED if thread.posts[0].submission_key != key else
                  "Your conversation is up. Others can reply to it now.", "success")
            # At the post: the form's own "#start" would otherwise carry over the redirect.
            return redirect(url_for(".thread", cohort_id=cohort.id, thread_id=thread.id,
                                    _anchor=f"post-{thread.posts[0].id}"))
    return _render_etivity(cohort, etivity, standing, form, 400,
                           untouched=untouched or bool(form.send_anyway.data))


def _render_etivity(cohort: Cohort, etivity: Etivity, standing: Standing,
                    form: ThreadForm | None, status: int = 200, *,
                    picker: PieceChoiceForm | None = None, undo: bool = False, note: str = "",
                    untouched: bool = False):
    """The page; `picker` is the template list as sent (else the chosen template), `undo`
    shows "Undo" after a template replaced the text, `note` says what just changed,
    `untouched` offers "Send it as it is" for a post that is only its template."""
    if form is not None:
        form.ensure_key()
    waiting = reading.must_post_first(cohort, etivity, current_user)
    threads = reading.pieces_page(cohort, etivity, page_arg(),
                                  author=current_user if waiting else None)
    summaries = reading.summaries(threads.items, current_user)
    hidden_count = reading.count_pieces(cohort, etivity) - threads.total if waiting else 0
    piece = form.piece.data if form is not None else None
    chosen = piece if services.piece_body(etivity, piece) is not None else None
    if form is None or not etivity.pieces:
        picker = None
    elif picker is None:
        picker = PieceChoiceForm.for_etivity(etivity, chosen)
    return render_template(
        "discussions/etivity.html", cohort=cohort, etivity=etivity, standing=standing,
        threads=threads, summaries=summaries, waiting=waiting, hidden_count=hidden_count, form=form,
        weaves=[] if waiting else weaves.weaves(cohort, etivity=etivity),
        days=_suggested_days(etivity, standing), facilitators=reading.facilitator_ids(cohort),
        chosen_piece=chosen, picker=picker, undo=undo, note=note, untouched=untouched,
        stage_notes=next((s.emoderator for s in cohort.course.stages
                          if s.number == etivity.stage_number), ""),
    ), status


