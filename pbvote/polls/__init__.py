"""Polls: a secret vote of verified residents on one or more questions."""
