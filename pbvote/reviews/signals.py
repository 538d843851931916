"""What the reviews domain announces to the domains above it (blinker)."""

from blinker import Namespace

_signals = Namespace()

#: sent with the review when its answer is published (``now``): the notifications
#: domain tells the proposal's and the cycle's followers.
review_published = _signals.signal("review-published")
