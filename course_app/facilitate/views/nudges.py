"""Nudging a learner or a group: choose who (a preview), then write and send."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ... import drafts, mail
from ...clock import utcnow
from ...extensions import db
from ...inputs import as_id
from ...rendering import plural
from .. import audit, bp
from .. import nudges as service
from ..errors import FacilitateError
from ..forms import NudgeForm, RecipientsForm, TemplateChoiceForm
from ..messages import TEMPLATES
from ..people import learner_choices
from .common import facilitated, field_error

SENT_ALREADY = ("This message was sent twice, so it went once: each learner got it one time, "
                "and it is in the audit log once.")


def _who(args) -> str:
    """`who` is "learner:ID" or "group:NAME"; ?learner=ID and ?group=NAME say the same."""
    if args.get("who"):
        return args["who"]
    if args.get("learner"):
        return f"learner:{args['learner']}"
    if args.get("group"):
        return f"group:{args['group']}"
    return ""


@bp.route("/cohorts/<int:cohort_id>/nudge", methods=["GET", "POST"])
@drafts.login_required_keeping_drafts
def nudge(cohort_id: int):
    """Two steps, so nothing is sent by surprise: choose who (a GET that previews the
    names), then write and send to exactly the people previewed."""
    cohort = facilitated(cohort_id)
    now = utcnow()
    learners = learner_choices(cohort)
    args = request.form if request.method == "POST" else request.args
    who, stage = _who(args), args.get("stage", "")
    chooser = RecipientsForm.with_choices(who, stage, service.GROUPS, learners)
    recipients, group_words, status = None, "", 200
    if who:
        try:
            recipients, group_words = service.recipients(cohort, who, stage, learners, now)
        except FacilitateError as error:
            field_error(chooser, error)
            status = 400
    form = NudgeForm()
    changed, undo, note = False, False, ""
    picker = None
    action = request.form.get("action") if request.method == "POST" else None
    if action in ("use-template", "undo-template"):
        picker = TemplateChoiceForm.with_templates(TEMPLATES, None, formdata=request.form)
        undo, note, status = _choose_template(form, picker, action, status)
    elif request.method == "POST":
        if recipients is not None and form.validate_on_submit():
            key = form.submission_key.data or None
            if audit.find_submission(current_user, key) is not None:  # again after Back
                flash(SENT_ALREADY, "info")
                return redirect(url_for(".nudge", cohort_id=cohort.id))
            if {u.id for u in recipients} != form.previewed():
                changed = True
            else:
                try:
                    service.nudge(cohort, current_user, recipients,
                                          form.text.data or "", now, group=group_words,
                                          submission_key=key)
                    db.session.commit()  # the emails go from the worker (mailings.hooks)
                except FacilitateError as error:
                    db.session.rollback()
                    field_error(form, error, "text")
                except IntegrityError:  # the same form sent twice at once: the other sent it
                    db.session.rollback()
                    if audit.find_submission(current_user, key) is None:
                        raise
                    flash(SENT_ALREADY, "info")
                    return redirect(url_for(".nudge", cohort_id=cohort.id))
                else:
                    flash(f"Sent to {plural(len(recipients), 'learner', 'learners')}"
                          + (", in the app and by email to those who take messages by email."
                             if mail.enabled() else ".")
                          + " It is in the audit log as an intervention.", "success")
                    return redirect(url_for(".nudge", cohort_id=cohort.id))
        status = 400
    elif kept := drafts.pop():  # sent when the session had ended (or the form was stale)
        for name in ("text", "template_used", "undo_text", "undo_template", "submission_key"):
            getattr(form, name).data = kept.get(name) or getattr(form, name).data
    else:
        template = request.args.get("template", type=int)
        if template and 1 <= template <= len(TEMPLATES):
            form.text.data = TEMPLATES[template - 1][1]
            form.template_used.data = str(template)
    if recipients:
        form.who.data, form.stage.data = who, stage
        form.recipients.data = ",".join(str(u.id) for u in recipients)
    chosen = as_id(form.template_used.data)
    if picker is None:
        picker = TemplateChoiceForm.with_templates(TEMPLATES, chosen)
    if not note and chosen is not None and chosen <= len(TEMPLATES):
        note = f"Starting from the “{TEMPLATES[chosen - 1][0]}” template."
    return render_template(
        "facilitate/moderate/nudge.html", cohort=cohort, chooser=chooser, form=form,
        recipients=recipients, group_words=group_words, changed=changed, who=who, stage=stage,
        picker=picker, undo=undo, note=note, learners=learners, mail_enabled=mail.enabled(),
    ), status


def _choose_template(form: NudgeForm, picker: TemplateChoiceForm, action: str, status: int
                     ) -> tuple[bool, str, int]:
    """"Use this template" and "Undo" sent without scripts: the message changes, nothing is
    sent. Returns (show Undo, what changed in words, the status)."""
    if action == "undo-template":
        form.text.data = form.undo_text.data or ""
        form.template_used.data = form.undo_template.data or ""
        form.undo_text.data = form.undo_template.data = ""
        return False, "Your message is back as you had written it.", status
    number = as_id(picker.template.data)
    if number is None or number > len(TEMPLATES):
        picker.template.errors = ["Choose a template from the list, then “Use this template”."]
        return False, "", 400
    name, text = TEMPLATES[number - 1]
    form.undo_text.data = form.text.data or ""
    form.undo_template.data = form.template_used.data or ""
    form.text.data, form.template_used.data = text, str(number)
    return True, f"The “{name}” template is in your message now.", status
