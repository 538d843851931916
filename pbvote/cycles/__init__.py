"""Budget cycles, phases and scopes."""
