"""The notifications page and marking as read (the header's unread count is registered by
`templating`)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..clock import utcnow
from ..extensions import db
from ..forms import ButtonForm
from ..inputs import page_arg
from ..redirects import local_path
from . import bp, services
from .forms import MarkReadForm
from .models import NotificationKind

KIND_LABELS = {
    NotificationKind.REPLY: "Reply",
    NotificationKind.STAGE_OPENED: "Stage opened",
    NotificationKind.MESSAGE: "Message",
}


@bp.get("/notifications")
@login_required
def index():
    page = services.page_of(current_user.id, page_arg())
    return render_template("notifications/index.html", page=page, labels=KIND_LABELS,
                           local=local_path)


@bp.post("/notifications/read")
@login_required
def mark_read():
    """Mark one notification (notification_id) or all of them read, then go back."""
    form = MarkReadForm()
    if not form.validate_on_submit():
        flash("We couldn't tell which notification you meant. Try again.", "error")
        return redirect(url_for("notifications.index"))
    marked = services.mark_read(current_user.id, utcnow(), form.notification_id.data)
    db.session.commit()
    if form.notification_id.data is None:
        flash("All your notifications are marked as read." if marked else
              "Nothing new to mark as read.", "success" if marked else "info")
    elif marked:
        flash("Marked as read.", "success")
    return redirect(local_path(form.next.data) or url_for("notifications.index"))


@bp.post("/notifications/<int:notification_id>/open", endpoint="open")
@login_required
def open_notification(notification_id: int):
    """Follow a notification's link, marking it read on the way (a POST: it writes)."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    notification = services.open_notification(current_user.id, notification_id, utcnow())
    if notification is None:
        abort(404)
    db.session.commit()
    return redirect(local_path(notification.link) or url_for("notifications.index"))

