from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..clock import utcnow
from ..extensions import db, limiter
from ..redirects import local_path
from . import bp, services
from .forms import ChangePasswordForm, LoginForm, ProfileForm, RegisterForm


def _safe_next(default: str) -> str:
    """Only follow `next` within this site."""
    return local_path(request.args.get("next")) or default


def _login_key() -> str:
    email = (request.form.get("email") or "").strip().lower()
    return f"{request.remote_addr}|{email}"


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
            db.session.commit()
            login_user(user)
            flash(f"Welcome, {user.name}. Your account is ready.", "success")
            return redirect(_safe_next(url_for("main.index")))
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_login_key,
               methods=["POST"], deduct_when=lambda response: response.status_code == 401)
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(url_for("main.index")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data, at=utcnow())
        if user is not None:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(f"Welcome back, {user.name}.", "success")
            return redirect(_safe_next(url_for("main.index")))
        form.password.errors.append("That email and password don't match an account. "
                                    "Check them and try again.")
        status = 401
    elif form.errors:
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("You have logged out. See you soon.", "info")
    return redirect(url_for("main.index"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data,
                                     form.new_password.data)
        except services.AccountError as e:
            getattr(form, e.field).errors.append(str(e))
        else:
            db.session.commit()
            # The session id changed with the token. Log in the user itself, not the
            # current_user proxy: Flask-Login would cache the proxy as its own target.
            login_user(current_user._get_current_object())
            flash("Your password is changed. Other devices will need to log in again.", "success")
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
    return render_template("auth/profile.html", form=form), 400 if form.errors else 200
