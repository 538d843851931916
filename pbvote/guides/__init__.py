"""Guides for residents who read little: category pictograms, project photos and
the commune's recorded audio guides (one per language)."""
