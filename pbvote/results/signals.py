"""What the results domain announces to the domains above it (blinker)."""

from blinker import Namespace

_signals = Namespace()

#: sent with the cycle id when a cycle's results are published (``now``): the
#: notifications domain tells the cycle's followers.
results_published = _signals.signal("results-published")
