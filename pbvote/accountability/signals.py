"""What the accountability domain announces to the domains above it (blinker)."""

from blinker import Namespace

_signals = Namespace()

#: sent with the project id when an execution update is published (``update_id``,
#: ``now``): the notifications domain tells the project's followers.
execution_updated = _signals.signal("execution-updated")
