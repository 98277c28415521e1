"""The audit log page: every facilitator action in the cohort, filtered and paged."""

from flask import render_template, request
from flask_login import login_required

from ...inputs import page_arg
from .. import audit as service
from .. import bp
from ..forms import AuditFilterForm
from ..models import AuditAction
from .common import facilitated


@bp.get("/cohorts/<int:cohort_id>/audit")
@login_required
def audit(cohort_id: int):
    cohort = facilitated(cohort_id)
    form = AuditFilterForm(formdata=request.args)
    actions = service.actions_in(cohort)
    form.action.choices = [("", "All actions")] + [(a.value, a.words) for a in actions]
    action = AuditAction(form.action.data) if form.action.data in actions else None
    if form.action.data and action is None:  # a hand-edited address: ignore it, and say so
        form.action.errors = ["That action isn't on the list, so it was left out."]
    log = service.log_page(cohort, page_arg(), action=action,
                           interventions_only=bool(form.interventions.data))
    filters = {k: v for k, v in (("action", action and action.value),
                                 ("interventions", "y" if form.interventions.data else None)) if v}
    return render_template("facilitate/moderate/audit.html", cohort=cohort, form=form, log=log,
                           targets=service.targets(log.items), filters=filters,
                           filtered=bool(filters))
