"""Sign-in for residents (SMS code) and staff (password + TOTP); staff accounts."""

import io

import segno
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from pbvote.accounts import services, sessions
from pbvote.accounts.errors import AccountError, CodeRejected
from pbvote.accounts.forms import (
    ROLE_LABELS,
    CodeForm,
    PasswordChangeForm,
    PhoneForm,
    StaffLoginForm,
    StaffUserForm,
    TotpForm,
)
from pbvote.accounts.models import ROLES, OtpChallenge, User
from pbvote.accounts.phones import masked, normalise_mobile
from pbvote.communes.services import current_commune
from pbvote.core.access import safe_next, staff_required
from pbvote.core.forms import ConfirmForm
from pbvote.core.pagination import paginate
from pbvote.core.time import utcnow
from pbvote.extensions import db, login_manager

bp = Blueprint("accounts", __name__)

LOGIN_CHALLENGE = "login_challenge_id"
PENDING_STAFF = "pending_staff_id"


@login_manager.user_loader
def load_user(user_id: str):
    return sessions.load_session_user(user_id, utcnow())


def client_ip() -> str:
    # Behind load balancers, PBVOTE_TRUSTED_PROXIES makes this the real client's.
    return request.remote_addr or "unknown"


def _sign_in(user: User) -> None:
    login_user(user)
    sessions.start_session(user, utcnow())


@bp.route("/login", methods=["GET", "POST"])
def resident_login():
    form = PhoneForm()
    if form.validate_on_submit():
        try:
            phone = normalise_mobile(form.phone.data)
            challenge = services.request_login_code(
                current_commune().id, phone, client_ip(), utcnow()
            )
        except AccountError as error:
            db.session.rollback()
            form.phone.errors.append(str(error))
        else:
            db.session.commit()
            session[LOGIN_CHALLENGE] = challenge.id
            session["login_phone_masked"] = masked(phone)
            return redirect(
                url_for(".resident_code", next=safe_next(request.args.get("next"), ""))
            )
    return render_template("accounts/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
def resident_code():
    form = CodeForm()
    challenge_id = session.get(LOGIN_CHALLENGE)
    if challenge_id is None:
        return redirect(url_for(".resident_login"))
    if form.validate_on_submit():
        try:
            user = services.sign_in_resident(
                current_commune().id, challenge_id, form.code.data, utcnow()
            )
        except CodeRejected as error:
            db.session.commit()  # keep the count of wrong tries
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            session.pop(LOGIN_CHALLENGE, None)
            _sign_in(user)
            flash(_("You are signed in."), "success")
            return redirect(safe_next(request.args.get("next"), url_for("pages.home")))
    challenge = db.session.get(OtpChallenge, challenge_id)
    return render_template(
        "accounts/code.html",
        form=form,
        challenge=challenge,
        phone=session.get("login_phone_masked", ""),
    )


@bp.route("/logout", methods=["POST"])
def logout():
    ConfirmForm().validate_on_submit() or abort(400)
    if current_user.is_authenticated:
        # Signing out anywhere ends every session of this person (a copied cookie too).
        sessions.end_all_sessions(current_user)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("pages.home"))


@bp.route("/staff/login", methods=["GET", "POST"])
def staff_login():
    form = StaffLoginForm()
    if form.validate_on_submit():
        try:
            user = services.check_staff_password(
                current_commune().id,
                form.username.data,
                form.password.data,
                client_ip(),
                utcnow(),
            )
        except AccountError as error:
            db.session.commit()  # the failure counts towards the rate limit
            form.password.errors.append(str(error))
        else:
            session.clear()
            session[PENDING_STAFF] = user.id
            target = ".staff_code" if user.totp_secret_enc else ".staff_enrol"
            return redirect(
                url_for(target, next=safe_next(request.args.get("next"), ""))
            )
    return render_template("accounts/staff_login.html", form=form)


def _pending_staff() -> User | None:
    user_id = session.get(PENDING_STAFF)
    return db.session.get(User, user_id) if user_id else None


def _finish_staff_login(user: User):
    session.pop(PENDING_STAFF, None)
    _sign_in(user)
    target = safe_next(request.args.get("next"), url_for("pages.staff_home"))
    if user.password_must_change:  # a handed-over password is replaced at once
        return redirect(url_for(".staff_password", next=target))
    return redirect(target)


@bp.route("/staff/login/code", methods=["GET", "POST"])
def staff_code():
    user = _pending_staff()
    if user is None or not user.totp_secret_enc:
        return redirect(url_for(".staff_login"))
    form = TotpForm()
    if form.validate_on_submit():
        try:
            services.check_totp(user, form.code.data, utcnow())
        except CodeRejected as error:
            db.session.commit()  # count the wrong try
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            return _finish_staff_login(user)
    return render_template("accounts/staff_code.html", form=form)


@bp.route("/staff/enrol", methods=["GET", "POST"])
def staff_enrol():
    user = _pending_staff()
    if user is None or user.totp_secret_enc:
        return redirect(url_for(".staff_login"))
    form = TotpForm()
    if form.validate_on_submit():
        try:
            services.confirm_totp_enrolment(user, form.code.data, utcnow())
        except CodeRejected as error:
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            return _finish_staff_login(user)
    if not user.totp_pending_enc:  # a reload keeps the secret already scanned
        services.start_totp_enrolment(user)
        db.session.commit()
    secret = services.pending_totp_secret(user)
    qr = segno.make(services.totp_uri(user, secret), error="m")
    buffer = io.BytesIO()
    qr.save(
        buffer,
        kind="svg",
        scale=5,
        border=2,
        xmldecl=False,
        svgns=True,
        title=_("QR code for your authenticator app"),
        encoding="utf-8",
    )
    return render_template(
        "accounts/staff_enrol.html",
        form=form,
        qr_svg=buffer.getvalue().decode(),
        secret=secret,
    )


@bp.route("/staff/users")
@staff_required("admin")
def staff_users():
    page = paginate(services.staff_members(current_commune().id))
    return render_template(
        "accounts/staff_users.html", page=page, role_labels=ROLE_LABELS
    )


@bp.route("/staff/users/new", methods=["GET", "POST"])
@staff_required("admin")
def staff_user_new():
    form = StaffUserForm()
    if form.validate_on_submit():
        try:
            user, password = services.create_staff(
                current_user,
                current_commune().id,
                form.username.data,
                form.display_name.data,
                form.roles.data,
                utcnow(),
            )
        except AccountError as error:
            db.session.rollback()
            form.username.errors.append(str(error))
        else:
            db.session.commit()
            return render_template(
                "accounts/staff_password.html", user=user, password=password
            )
    return render_template("accounts/staff_user_form.html", form=form, user=None)


def _staff_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not user.is_staff or user.commune_id != current_commune().id:
        abort(404)
    return user


def _staff_form_data(user: User) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "roles": sorted(user.role_names),
        "active": user.active,
    }


@bp.route("/staff/users/<int:user_id>", methods=["GET", "POST"])
@staff_required("admin")
def staff_user_edit(user_id: int):
    user = _staff_or_404(user_id)
    # Not ``obj=user``: its ``roles`` are rows, which no checkbox matches, so the
    # form showed none ticked and saving it as shown stripped every role.
    form = StaffUserForm(
        data=_staff_form_data(user) if request.method == "GET" else None
    )
    form.username.render_kw = {"readonly": True}
    if form.validate_on_submit():
        try:
            services.update_staff(
                current_user,
                user,
                form.display_name.data,
                form.roles.data,
                form.active.data,
                utcnow(),
            )
        except AccountError as error:
            db.session.rollback()
            form.roles.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Account saved."), "success")
            return redirect(url_for(".staff_users"))
    return render_template("accounts/staff_user_form.html", form=form, user=user)


@bp.route("/staff/users/<int:user_id>/reset", methods=["GET", "POST"])
@staff_required("admin")
def staff_user_reset(user_id: int):
    user = _staff_or_404(user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        password = services.reset_staff_credentials(current_user, user, utcnow())
        db.session.commit()
        return render_template(
            "accounts/staff_password.html", user=user, password=password
        )
    return render_template(
        "confirm.html",
        form=form,
        title=_("Reset the sign-in of %(name)s?", name=user.username),
        message=_(
            "Their password and authenticator app stop working "
            "at once. You will get a new one-time password to "
            "hand over in person."
        ),
        confirm_label=_("Reset sign-in"),
        cancel_url=url_for(".staff_users"),
    )


@bp.route("/staff/password", methods=["GET", "POST"])
@staff_required(*ROLES)
def staff_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_staff_password(
                current_user,
                form.current.data,
                form.new.data,
                form.repeated.data,
                utcnow(),
            )
        except AccountError as error:
            form.new.errors.append(str(error))
        else:
            db.session.commit()
            _sign_in(current_user._get_current_object())  # ended every other session
            flash(_("Your password is changed."), "success")
            return redirect(
                safe_next(request.args.get("next"), url_for("pages.staff_home"))
            )
    return render_template(
        "accounts/staff_password_change.html",
        form=form,
        forced=current_user.password_must_change,
    )
