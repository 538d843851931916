"""The picture that stands for a project on the ballot: the first photo of its
proposal when there is one, else its category's pictogram."""

from functools import cache
from pathlib import Path

PICTOGRAMS = Path(__file__).resolve().parent.parent.parent / "static" / "pictograms"


@cache  # the files ship with the code
def pictogram_keys() -> frozenset[str]:
    return frozenset(path.stem for path in PICTOGRAMS.glob("*.svg"))


def pictogram_key(project) -> str:
    """The category's own pictogram, or ``other`` (a new category needs no code:
    its key names the file, static/pictograms/<key>.svg)."""
    key = project.category.key if project.category else "other"
    return key if key in pictogram_keys() else "other"


def project_photo(project):
    """The proposal's first image attachment when the proposal is public."""
    proposal = project.proposal
    if proposal is None or not proposal.is_public:
        return None
    return next((a for a in proposal.attachments if a.is_image), None)
