"""A learner's own progress in a cohort: counts against each rule, the profile over time."""

from flask import render_template
from flask_login import current_user, login_required

from ..clock import utcnow
from ..permissions import cohort_or_404, is_learner, role_in
from ..progress import rules
from ..progress.charts import for_every_screen, participation_chart
from ..progress.standing import learner_progress, weekly_profile
from . import bp


@bp.get("/cohorts/<int:cohort_id>/progress")
@login_required
def my_progress(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    if not is_learner(current_user, cohort):
        return render_template("learner/not_learner.html", cohort=cohort,
                               role=role_in(current_user, cohort))
    today = utcnow().date()
    standing = learner_progress(cohort, current_user.id, today)
    weeks = [w.as_tuple() for w in weekly_profile(cohort.id, current_user.id, today)]
    next_step = standing.next_step
    return render_template(
        "learner/progress.html", cohort=cohort, standing=standing, weeks=weeks,
        active=any(o or i or n for _, o, i, n in weeks),
        chart=for_every_screen(participation_chart, "participation", weeks=weeks),
        level=rules.participation_level(standing.totals), levels=list(rules.Level),
        initiator_threads=rules.INITIATOR_THREADS,
        locks={n: rules.describe_lock(s, today) for n, s in standing.stages.items()},
        next_step=next_step,
        next_left=(rules.describe_left(next_step.etivity.rule, next_step.counts)
                   if next_step else ""),
    )
