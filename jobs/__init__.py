"""RQ job entry points. Each takes ids and plain values, calls one domain service
and commits. They run inside the app context that ``pbvote worker`` pushes (or the
in-process runner's), and never build an app at import time."""
