"""Invitations: a shareable link, emails in bulk (pasted or a CSV file), revoking one."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ... import mail
from ...clock import utcnow
from ...cohorts.models import Cohort, Invite
from ...extensions import db
from ...forms import ConfirmForm
from ...inputs import page_arg
from ...jobs.sending import send_after_commit
from ...permissions import belongs_or_404
from .. import bp
from .. import invites as service
from ..errors import FacilitateError
from ..forms import BulkInviteForm, InviteLinkForm
from .common import facilitated, show_error

MAX_UPLOAD = 200 * 1024  # bytes of a CSV of emails (about 8,000 addresses)
UPLOAD_TYPES = (".csv", ".txt")


def invite_link(invite: Invite) -> str:
    return url_for("cohorts.invite", token=invite.token, _external=True)


def _invite_mail(cohort: Cohort, invite: Invite) -> mail.Outgoing:
    """The invitation email (sent by a worker once the invites are committed)."""
    link = mail.absolute(url_for("cohorts.invite", token=invite.token))
    words = dict(inviter=current_user.name, cohort=cohort.name, course=cohort.course.title,
                 link=link, expires=invite.expires_at)
    return mail.Outgoing(
        to=invite.email, subject=f"You're invited to join {cohort.name}",
        text=render_template("email/invite.txt", **words),
        html=render_template("email/invite.html", **words), key=f"invite:{invite.id}")


def _render_invites(cohort: Cohort, link_form, bulk_form, problems=(), status: int = 200):
    page = service.invites_page(cohort, page_arg())
    return render_template(
        "facilitate/invites.html", cohort=cohort, page=page, link_form=link_form,
        bulk_form=bulk_form, problems=problems, now=utcnow(), link=invite_link,
        mailing=mail.enabled(), fresh=request.args.get("new", type=int),
        max_kb=MAX_UPLOAD // 1024), status


def _uploaded_text(storage) -> str:
    """A CSV of emails as text; FacilitateError (on csv_file) when it can't be used."""
    if not storage.filename.lower().endswith(UPLOAD_TYPES):
        raise FacilitateError("Choose a .csv or .txt file (a spreadsheet saved as CSV).",
                              "csv_file")
    data = storage.stream.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise FacilitateError(f"That file is larger than {MAX_UPLOAD // 1024} KB. Split it into "
                              "smaller files, or paste the addresses instead.", "csv_file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FacilitateError("We couldn't read that file as UTF-8 text. In your spreadsheet, "
                              "save it as “CSV UTF-8”, then choose it again.", "csv_file") from None


def _bulk_text(form: BulkInviteForm) -> str:
    pasted = form.emails.data or ""
    if form.csv_file.data:
        if pasted.strip():
            raise FacilitateError("Paste addresses or choose a file, not both: the line "
                                  "numbers we report would be ambiguous. Choose the file again, "
                                  "or clear the box.", "csv_file")
        text = _uploaded_text(form.csv_file.data)
        form.emails.data = text  # if anything is wrong, what was in the file is kept here
        return text
    if len(pasted.encode()) > MAX_UPLOAD:
        raise FacilitateError(f"That is more than {MAX_UPLOAD // 1024} KB of text. Send the "
                              "addresses in smaller batches.", "emails")
    return pasted


def _make_link(cohort: Cohort, link_form: InviteLinkForm, bulk_form: BulkInviteForm):
    if link_form.validate_on_submit():
        try:
            invite = service.create_link_invite(cohort, current_user, utcnow(),
                                                 link_form.expires_in_days.data)
        except FacilitateError as error:
            db.session.rollback()
            show_error(link_form, error)
        else:
            db.session.commit()
            flash("Your new invite link is ready: copy it from the list below and share it.",
                  "success")
            return redirect(url_for(".invites", cohort_id=cohort.id, new=invite.id,
                                    _anchor=f"invite-{invite.id}"))
    return _render_invites(cohort, link_form, bulk_form, status=400)


def _bulk_invite(cohort: Cohort, link_form: InviteLinkForm, bulk_form: BulkInviteForm):
    if not bulk_form.validate_on_submit():
        return _render_invites(cohort, link_form, bulk_form, status=400)
    try:
        result = service.invite_many(cohort, current_user, _bulk_text(bulk_form), utcnow(),
                                      bulk_form.expires_in_days.data)
    except FacilitateError as error:
        db.session.rollback()
        show_error(bulk_form, error)
        return _render_invites(cohort, link_form, bulk_form, status=400)
    if not result.invites:
        db.session.rollback()
        why = ("none of the lines has an email address we can use. Fix the lines listed above "
               "and send again." if result.to_fix else
               "everyone listed is in the cohort already, was removed from it, or has an "
               "invite that still works.")
        bulk_form.emails.errors = [*bulk_form.emails.errors, f"No invitations were made: {why}"]
        return _render_invites(cohort, link_form, bulk_form, result.problems, status=400)
    mailing = mail.enabled()
    for invite in result.invites:
        send_after_commit(_invite_mail(cohort, invite))
    db.session.commit()
    sent = len(result.invites) if mailing else 0
    retry = BulkInviteForm(formdata=None, emails="\n".join(result.to_fix),
                           expires_in_days=bulk_form.expires_in_days.data)
    return render_template("facilitate/invites_sent.html", cohort=cohort, result=result,
                           mailing=mailing, sent=sent, link=invite_link, retry=retry,
                           max_kb=MAX_UPLOAD // 1024)


@bp.route("/cohorts/<int:cohort_id>/invites", methods=["GET", "POST"])
@login_required
def invites(cohort_id: int):
    cohort = facilitated(cohort_id)
    link_form, bulk_form = InviteLinkForm(prefix="link"), BulkInviteForm()
    if request.method == "POST":
        if request.form.get("action") == "link":
            return _make_link(cohort, link_form, bulk_form)
        if "emails" in request.form or "csv_file" in request.files:
            return _bulk_invite(cohort, link_form, bulk_form)
        abort(400)
    return _render_invites(cohort, link_form, bulk_form)


@bp.post("/cohorts/<int:cohort_id>/invites/<int:invite_id>/revoke")
@login_required
def revoke_invite(cohort_id: int, invite_id: int):
    """The first POST asks "are you sure?"; the second, with confirm=yes, revokes."""
    cohort = facilitated(cohort_id)
    invite = belongs_or_404(db.session.get(Invite, invite_id), cohort)
    back = redirect(url_for(".invites", cohort_id=cohort.id))
    if invite.revoked_at is not None:
        flash("That invite was already revoked.", "info")
        return back
    form = ConfirmForm()
    if not form.confirmed:
        return render_template("facilitate/confirm_revoke.html", cohort=cohort, invite=invite,
                               form=form, link=invite_link(invite))
    service.revoke_invite(cohort, invite, current_user, utcnow())
    db.session.commit()
    flash(f"The invite {'for ' + invite.email if invite.email else 'link'} no longer works. "
          "Anyone who already joined with it stays in the cohort.", "success")
    return back
