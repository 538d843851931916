"""Audio guides: staff upload them per language; residents hear them on the ballot."""

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from pbvote.communes.services import current_commune
from pbvote.core.access import staff_required
from pbvote.core.forms import ConfirmForm
from pbvote.core.nav import add_staff_link
from pbvote.core.templating import template_globals
from pbvote.core.time import utcnow
from pbvote.extensions import db
from pbvote.guides import services
from pbvote.guides.errors import GuideError
from pbvote.guides.forms import AudioGuideForm
from pbvote.guides.models import AudioGuide
from pbvote.guides.pictures import pictogram_key, project_photo

bp = Blueprint("guides", __name__)


@template_globals(bp)
def _template_helpers() -> dict:
    return {
        "pictogram_key": pictogram_key,
        "project_photo": project_photo,
        "audio_guides": audio_guides,
    }


add_staff_link("guides.staff_guides", _l("Audio guides"), "admin")


def _guide_or_404(guide_id: int) -> AudioGuide:
    guide = db.session.get(AudioGuide, guide_id)
    if guide is None or guide.commune_id != current_commune().id:
        abort(404)
    return guide


@bp.route("/staff/audio-guides", methods=["GET", "POST"])
@staff_required("admin")
def staff_guides():
    commune, form = current_commune(), AudioGuideForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.save_guide(
                current_user,
                commune.id,
                form.language.data,
                form.project_id.data,
                form.recording.data.read(),
                utcnow(),
            )
        except GuideError as error:
            form.recording.errors.append(str(error))
            status = 422
        else:
            db.session.commit()
            flash(_("The audio guide is online."), "success")
            return redirect(url_for(".staff_guides"))
    elif form.is_submitted():
        status = 422
    guides = services.guides_by_subject(commune.id)
    return render_template(
        "guides/staff_guides.html",
        form=form,
        guides=guides,
        delete=ConfirmForm(),
        max_mb=services.max_bytes() // (1024 * 1024),
    ), status


@bp.route("/staff/audio-guides/<int:guide_id>/delete", methods=["POST"])
@staff_required("admin")
def staff_delete_guide(guide_id: int):
    guide = _guide_or_404(guide_id)
    if ConfirmForm().validate_on_submit():
        services.delete_guide(current_user, guide, utcnow())
        db.session.commit()
        flash(_("The audio guide was removed."), "success")
    return redirect(url_for(".staff_guides"))


@bp.route("/audio-guides/<int:guide_id>")
def audio_file(guide_id: int):
    guide = _guide_or_404(guide_id)
    path = services.guide_path(guide)
    if not path.exists():
        abort(404)
    response = send_file(path, mimetype=guide.content_type, max_age=3600)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def audio_guides() -> dict:
    """For templates: the commune's guides by subject (services.guide_links,
    cached per process), looked up once per request."""
    if "audio_guides" not in g:
        g.audio_guides = services.guide_links(current_commune().id)
    return g.audio_guides
