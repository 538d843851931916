"""Public meetings and hearings: registration, reminders, attendance, minutes and commitments."""
