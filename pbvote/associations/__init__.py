"""associations domain."""
