class IndicatorError(Exception):
    """A refused indicators request; the message is shown to the user."""


class ReportAlreadyPublished(IndicatorError):
    """A published report is archived and never rewritten."""
