"""The words of each notification: a sentence on the notifications page, in the
reader's language, and a short SMS in the resident's chosen language that fits one
segment (70 characters in Arabic, 160 in GSM-7 French; tests/notifications checks
every template with its longest values)."""

from flask import url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

LOCALES = {"ar": "ar_MA", "fr": "fr_MA"}


def _sms_template(kind: str, number: int) -> str:
    if kind == "review":
        return _("Ouazzane: proposal %(id)d has its answer. See the site.", id=number)
    if kind == "reply":
        return _("Ouazzane: a reply to your comment on proposal %(id)d.", id=number)
    if kind == "staff_answer":
        return _("Ouazzane: the commune answered on proposal %(id)d.", id=number)
    if kind == "execution":
        return _("Ouazzane: news on the works of project %(id)d.", id=number)
    return _("Ouazzane: the results of cycle %(id)d are out.", id=number)


def _number(kind: str, params: dict) -> int:
    key = {"execution": "project_id", "result": "cycle_id"}.get(kind, "proposal_id")
    return int(params.get(key) or 0)


def event_sms(kind: str, params: dict, language: str) -> str:
    with force_locale(LOCALES.get(language, "ar_MA")):
        return _sms_template(kind, _number(kind, params))


def digest_sms(count: int, language: str) -> str:
    with force_locale(LOCALES.get(language, "ar_MA")):
        return ngettext(
            "Ouazzane: %(num)d new update on what you follow.",
            "Ouazzane: %(num)d new updates on what you follow.",
            count,
        )


def page_text(note) -> str:
    """The sentence shown on the notifications page."""
    from pbvote.proposals.forms import STATUS_LABELS

    params = note.params or {}
    # The title is isolated (FSI ... PDI): a French title inside an Arabic
    # sentence keeps its words and its quotation marks in place.
    title = f"\u2068{params.get('title', '')}\u2069"
    if note.kind == "review":
        decision = STATUS_LABELS.get(params.get("decision"), "")
        return _(
            "The proposal “%(title)s” has its answer: %(decision)s.",
            title=title,
            decision=decision,
        )
    if note.kind == "reply":
        return _("Someone replied to your comment on “%(title)s”.", title=title)
    if note.kind == "staff_answer":
        return _("The commune answered on “%(title)s”.", title=title)
    if note.kind == "execution":
        return _("The works of a project you follow have news.")
    return _("The results of a cycle you follow are published.")


def page_link(note) -> str:
    params = note.params or {}
    if note.kind in ("review", "reply", "staff_answer"):
        return url_for("proposals.proposal_page", proposal_id=params["proposal_id"])
    if note.kind == "execution":
        return url_for("notifications.notifications_page")
    return url_for("cycles.cycle_page", cycle_id=params.get("cycle_id", 0))
