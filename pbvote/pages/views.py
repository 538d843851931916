"""Home, language switch, staff home and the pages every site needs."""

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from pbvote.accounts.models import ROLES
from pbvote.communes.services import current_commune
from pbvote.core.access import safe_next, staff_required
from pbvote.core.i18n import COOKIE_NAME, LANGUAGES
from pbvote.core.time import utcnow
from pbvote.cycles.services import phase_at, running_cycles, timeline

bp = Blueprint("pages", __name__)


@bp.route("/")
def home():
    now = utcnow()
    cycles = [
        {
            "cycle": cycle,
            "phase": phase_at(cycle, now),
            "timeline": timeline(cycle, now),
        }
        for cycle in running_cycles(current_commune(), now)
    ]
    return render_template("pages/home.html", cycles=cycles)


@bp.route("/lang/<code>")
def set_language(code: str):
    """Remember the reader's language for a year; works without JavaScript."""
    target = safe_next(request.args.get("next"), url_for(".home"))
    response = make_response(redirect(target))
    if code in LANGUAGES:
        response.set_cookie(
            COOKIE_NAME,
            code,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure,
        )
    return response


@bp.route("/privacy")
def privacy():
    return render_template("pages/privacy.html")


@bp.route("/accessibility")
def accessibility():
    return render_template("pages/accessibility.html")


@bp.route("/staff/")
@staff_required(*ROLES)
def staff_home():
    from pbvote.communes.services import current_commune
    from pbvote.core.forms import ConfirmForm
    from pbvote.pages.queues import review_deadline, work_queues

    return render_template(
        "pages/staff_home.html",
        roles=current_user.role_names,
        queues=work_queues(current_user, current_commune().id),
        review_deadline=review_deadline,
        action_form=ConfirmForm(),
    )
