"""What every facilitator page shares: loading the cohort, refusing learners, showing a
service's refusal."""

from flask import flash, render_template, url_for

from ...cohorts.models import Cohort
from ...discussions.models import Post
from ...discussions.reading import page_of_post
from ...permissions import can_facilitate, cohort_or_404
from ..errors import FacilitateError


def facilitated(cohort_id: int) -> Cohort:
    """The cohort, for its facilitators and admins: 404 outside it, 403 for its learners."""
    return cohort_or_404(cohort_id, allowed=can_facilitate)


def not_staff():
    """Learners who find their way to the facilitator pages: a friendly refusal."""
    return render_template("facilitate/not_staff.html"), 403


def show_error(form, error: FacilitateError) -> None:
    """Put a service's refusal beside the field it names, or flash it at the top of the page."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, str(error)]
    else:
        flash(str(error), "error")


def field_error(form, error: FacilitateError, default: str | None = None) -> None:
    """Show a service's message beside the field it names (or `default`), or above the form."""
    field = getattr(form, error.field or default or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


def post_url(cohort: Cohort, post: Post) -> str:
    """The thread page a post is on, scrolled to it."""
    return url_for("discussions.thread", cohort_id=cohort.id, thread_id=post.thread_id,
                   page=page_of_post(post), _anchor=f"post-{post.id}")
