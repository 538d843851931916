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
    title = params.get("title", "")
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


def page_link(note, external: bool = False) -> str:
    params = note.params or {}
    if note.kind in ("review", "reply", "staff_answer"):
        return url_for(
            "proposals.proposal_page",
            proposal_id=params["proposal_id"],
            _external=external,
        )
    if note.kind == "execution":
        return url_for("notifications.notifications_page", _external=external)
    return url_for(
        "cycles.cycle_page", cycle_id=params.get("cycle_id", 0), _external=external
    )


# E-mail ------------------------------------------------------------------------------
# Built in the resident's language (``force_locale``) inside a request context whose
# host is PUBLIC_BASE_URL (see services.links), so the links are absolute.


def email_subject(kind: str, params: dict) -> str:
    if kind == "review":
        return _("Your followed proposal has its answer")
    if kind == "reply":
        return _("A reply to your comment")
    if kind == "staff_answer":
        return _("The commune answered on a proposal you follow")
    if kind == "execution":
        return _("News on the works of a project you follow")
    return _("The results of a cycle you follow are published")


def email_footer(unsubscribe_url: str, settings_url: str) -> str:
    return _(
        "You receive this e-mail because you chose e-mail for the news of what you "
        "follow on the participation site of the commune of Ouazzane.\n"
        "Stop these e-mails (no sign-in needed): %(unsubscribe)s\n"
        "Your choices: %(settings)s",
        unsubscribe=unsubscribe_url,
        settings=settings_url,
    )


def email_event(note, unsubscribe_url: str, settings_url: str) -> tuple[str, str]:
    """Subject and body of one notification's e-mail, in the current locale."""
    body = "\n\n".join(
        (
            page_text(note),
            _("Read it on the site: %(url)s", url=page_link(note, external=True)),
            "-- ",
            email_footer(unsubscribe_url, settings_url),
        )
    )
    return email_subject(note.kind, note.params or {}), body


def email_digest(notes, unsubscribe_url: str, settings_url: str) -> tuple[str, str]:
    """The daily digest: one line and link per notification."""
    subject = ngettext(
        "%(num)d new update on what you follow",
        "%(num)d new updates on what you follow",
        len(notes),
    )
    lines = [f"- {page_text(note)}\n  {page_link(note, True)}" for note in notes]
    body = "\n\n".join(
        (
            subject + ":",
            "\n".join(lines),
            "-- ",
            email_footer(unsubscribe_url, settings_url),
        )
    )
    return subject, body


def email_verification(link: str) -> tuple[str, str]:
    subject = _("Confirm your e-mail address for Ouazzane's participation site")
    body = _(
        "Someone, probably you, asked to receive the news of the participation site "
        "of the commune of Ouazzane at this address.\n\n"
        "To confirm, open this link within 48 hours and press the button:\n"
        "%(link)s\n\n"
        "If you did not ask for it, ignore this e-mail: nothing will be sent to you.",
        link=link,
    )
    return subject, body
