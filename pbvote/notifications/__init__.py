"""Following proposals, projects and cycles, and telling residents what changed."""
