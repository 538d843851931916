"""Surveys: built by staff in Arabic and French, answered once per resident, results in aggregate."""
