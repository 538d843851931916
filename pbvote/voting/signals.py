"""What the voting domain announces to the domains above it (blinker signals), so
that voting imports none of them."""

from blinker import Namespace

_signals = Namespace()

#: sent with the cycle and ``now`` when a cycle's election key is first made
#: (the results domain schedules the count for the end of voting).
election_key_created = _signals.signal("election-key-created")
