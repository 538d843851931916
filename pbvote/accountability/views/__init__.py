"""Accountability web pages, split by audience on one blueprint: the public
follow-up (:mod:`.public`), residents' voice (:mod:`.residents`), finance staff's
records and updates (:mod:`.finance`) and their imports, questions, reports and
statuses (:mod:`.finance_desk`); the read-only API is :mod:`..api`."""

from pbvote.accountability.views import api, finance, finance_desk, public, residents
from pbvote.accountability.views.blueprint import bp

__all__ = ["api", "bp", "finance", "finance_desk", "public", "residents"]
