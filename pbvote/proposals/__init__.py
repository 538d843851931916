"""proposals domain."""
