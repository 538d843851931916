"""communes domain."""
