"""Readable names for the codes staff pages show: audit actions, text-message
purposes and statuses. An unknown code is shown as it is (never hidden), so a new
action appears the day it is added, then gets its name here."""

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "association.approve": _l("Association approved"),
    "association.reject": _l("Association rejected"),
    "body.add_member": _l("Member added to a review body"),
    "body.add_rule": _l("Rule added to a review body"),
    "body.remove_member": _l("Member removed from a review body"),
    "body.remove_rule": _l("Rule removed from a review body"),
    "comment.hide": _l("Comment hidden"),
    "comment.keep": _l("Comment kept"),
    "cycle.create": _l("Cycle created"),
    "cycle.open_voting": _l("Voting opened"),
    "cycle.scopes": _l("Cycle scopes changed"),
    "cycle.update": _l("Cycle changed"),
    "district.create": _l("District created"),
    "district.update": _l("District changed"),
    "email.retry": _l("Failed e-mails retried"),
    "execution.answer": _l("Question answered"),
    "indicators.report.edit": _l("Charter report text edited"),
    "indicators.report.generate": _l("Charter report drafted"),
    "indicators.report.publish": _l("Charter report published"),
    "indicators.report.request": _l("Charter report requested"),
    "guide.upload": _l("Audio guide uploaded"),
    "guide.delete": _l("Audio guide removed"),
    "execution.answer_edit": _l("Answer changed"),
    "execution.details": _l("Project details changed"),
    "execution.discard": _l("Draft update discarded"),
    "execution.draft": _l("Update drafted"),
    "execution.draft_edit": _l("Draft update changed"),
    "execution.import": _l("Execution data imported"),
    "execution.milestone": _l("Milestone added"),
    "execution.milestone_done": _l("Milestone completed"),
    "execution.overdue": _l("Project marked overdue"),
    "execution.publish": _l("Update published"),
    "execution.question_hide": _l("Question hidden"),
    "execution.report": _l("Report published"),
    "execution.status_edit": _l("Status wording changed"),
    "execution.subproject": _l("Sub-project added"),
    "review.assign": _l("Reviews assigned"),
    "review.assign_rules": _l("Review rules applied"),
    "review.publish": _l("Review answers published"),
    "review.record": _l("Review recorded"),
    "scope.rules": _l("Scope rules changed"),
    "sms.retry": _l("Failed text messages retried"),
    "staff.create": _l("Staff account created"),
    "staff.password_changed": _l("Password changed"),
    "staff.reset_credentials": _l("Staff credentials reset"),
    "staff.totp_enrolled": _l("Authenticator app enrolled"),
    "staff.update": _l("Staff account changed"),
    "tally.failed": _l("Count failed"),
    "tally.publish": _l("Results published"),
    "voting.election_key": _l("Election key created"),
    "voting.kiosk_open": _l("Kiosk opened"),
    "voting.registry_import": _l("Voter registry imported"),
    "body.delete_opinion": _l("Opinion withdrawn"),
    "body.publish_opinion": _l("Opinion published"),
    "complaint.answer": _l("Complaint answered"),
    "complaint.route": _l("Complaint sent to a service"),
    "holiday.delete": _l("Holiday removed"),
    "holiday.save": _l("Holiday saved"),
    "inforequest.answer": _l("Information request answered"),
    "inforequest.extend": _l("Information request extended"),
    "inforequest.refuse": _l("Information request refused"),
    "inforequest.register": _l("Information request registered"),
    "meeting.attendance": _l("Meeting attendance recorded"),
    "meeting.cancel": _l("Meeting cancelled"),
    "meeting.commitment": _l("Meeting commitment added"),
    "meeting.commitment_update": _l("Commitment followed up"),
    "meeting.minutes": _l("Minutes published"),
    "meeting.save": _l("Meeting saved"),
    "petition.decided": _l("Petition decided"),
    "petition.on_agenda": _l("Petition put on the agenda"),
    "petition.paper_signature": _l("Paper signature registered"),
    "survey.add_question": _l("Survey question added"),
    "survey.publish_results": _l("Survey results published"),
    "survey.ready_made": _l("Satisfaction survey created"),
    "survey.remove_question": _l("Survey question removed"),
    "survey.save": _l("Survey saved"),
    "voting.report": _l("Vote-integrity report recorded"),
    "polls.save": _l("Poll saved"),
    "polls.question": _l("Poll question added"),
    "polls.question_remove": _l("Poll question removed"),
    "polls.open": _l("Poll opened"),
    "polls.close": _l("Poll closed"),
    "polls.count_failed": _l("Poll count failed"),
}

SMS_PURPOSES = {
    "otp-login": _l("Sign-in code"),
    "otp-vote": _l("Voting code"),
    "vote-receipt": _l("Vote receipt"),
    "proposal-answer": _l("Answer to a proposal"),
    "notification": _l("News on what a resident follows"),
    "notification-digest": _l("Daily digest of news"),
    "execution-update": _l("Project news"),
    "execution-overdue": _l("Overdue project alert"),
    "tally_alert": _l("Count alert"),
    "complaint": _l("Complaint notice"),
    "inforequest": _l("Information request notice"),
    "meeting": _l("Meeting reminder"),
}

# E-mails (pbvote.notifications.mail); their statuses are the SMS ones.
EMAIL_PURPOSES = {
    "email-verify": _l("Address confirmation"),
    "notification": _l("News on what a resident follows"),
    "notification-digest": _l("Daily digest of news"),
}

SMS_STATUSES = {
    "queued": _l("Waiting"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
}


def label(table: dict, code: str | None) -> str:
    return str(table.get(code, code or ""))


def action_label(code: str | None) -> str:
    return label(ACTION_LABELS, code)


def sms_purpose(code: str | None) -> str:
    return label(SMS_PURPOSES, code)


def email_purpose(code: str | None) -> str:
    return label(EMAIL_PURPOSES, code)


def sms_status(code: str | None) -> str:
    return label(SMS_STATUSES, code)
