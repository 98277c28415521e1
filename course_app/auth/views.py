"""Account pages: register, log in and out (here or everywhere), password, profile.

Every login is a row (`auth.sessions`), so logging out ends it on every server at once.
Throttling of logins and registrations is in `course_app.throttle`; every login, failure
and logout goes to the security log.
"""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from .. import security_log
from ..clock import utcnow
from ..extensions import db
from ..redirects import JUST_LOGGED_IN, local_path
from ..rendering import plural
from . import bp, services, sessions
from .forms import ChangePasswordForm, LoginForm, ProfileForm, RegisterForm


def _safe_next(default: str) -> str:
    """Only follow `next` within this site."""
    return local_path(request.args.get("next")) or default


def _log_in(user, remember: bool = False) -> None:
    """Start a login for this device, commit, and hand it to Flask-Login."""
    sessions.start(user, utcnow(), sessions.lifetime(current_app.config, remember))
    db.session.commit()
    login_user(user, remember=remember)


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(form.email.data, form.name.data, form.password.data,
                                        at=utcnow())
        except services.AccountError as e:
            getattr(form, e.field).errors.append(str(e))
        else:
            _log_in(user)
            security_log.record("account.created", user=user)
            flash(f"Welcome, {user.name}. Your account is ready.", "success")
            return redirect(_safe_next(url_for("main.index")))
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(url_for("main.index")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, at=utcnow())
        except services.LoginRefused as refused:
            db.session.rollback()
            security_log.warning("login.failed", email=form.email.data, reason=refused.reason)
            form.password.errors.append(str(refused))
            status = 401
        else:
            _log_in(user, remember=form.remember.data)
            security_log.record("login", user=user, remember=bool(form.remember.data))
            flash(f"Welcome back, {user.name}.", "success")
            back = local_path(request.args.get("next"))
            if back is None:  # the home page sends them on to where their work is
                session[JUST_LOGGED_IN] = True
            return redirect(back or url_for("main.index"))
    elif form.errors:
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    user = current_user._get_current_object()
    sessions.end(user)
    db.session.commit()
    logout_user()
    security_log.record("logout", user=user)
    flash("You have logged out. See you soon.", "info")
    return redirect(url_for("main.index"))


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    user = current_user._get_current_object()
    ended = sessions.end_all(user)
    db.session.commit()
    logout_user()
    security_log.record("logout.everywhere", user=user, logins=ended)
    flash("You have logged out on every device and browser, this one too.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm(user=current_user._get_current_object())
    if form.validate_on_submit():
        # The user itself, not the current_user proxy: Flask-Login would cache the proxy as
        # its own target when it logs the user in again below.
        user = current_user._get_current_object()
        remembered = current_app.config.get("REMEMBER_COOKIE_NAME",
                                            "remember_token") in request.cookies
        try:
            revoked = services.change_password(user, form.current_password.data,
                                               form.new_password.data, utcnow())
        except services.AccountError as e:
            getattr(form, e.field).errors.append(str(e))
        else:
            _log_in(user, remember=remembered)  # a new login for this device; the others ended
            security_log.record("password.changed", user=user, tokens_revoked=revoked)
            message = "Your password is changed. Other devices will need to log in again."
            if revoked:
                message += (f" Your {plural(revoked, 'API token was', 'API tokens were')} "
                            "revoked: make new ones where you use them.")
            flash(message, "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            services.update_profile(current_user, form.name.data, form.about.data or "")
        except services.AccountError as e:
            getattr(form, e.field).errors.append(str(e))
        else:
            db.session.commit()
            flash("Your profile is saved.", "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form,
                           other_logins=sessions.others(current_user, utcnow())
                           ), 400 if form.errors else 200
