"""accountability domain."""
