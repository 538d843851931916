"""voting domain."""
