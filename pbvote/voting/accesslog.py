"""Gunicorn access log without the voter's trail.

Run gunicorn with ``--logger-class pbvote.voting.accesslog.PrivateVotingLogger``:
requests to the voting pages (verification, code, ballot, cast, receipts, kiosk,
reports) are logged with no client address, no forwarded-for, user agent or
referer, no duration, and the day instead of the second. Other pages are logged
as gunicorn always does. Without it, an access log of address, second and
duration per cast lets whoever reads the logs put a person next to the moment of
each cast.
"""

import re
import time

from gunicorn.glogging import Logger

VOTING_PATH = re.compile(r"^/cycles/\d+/(vote|kiosk)|^/cycles/\d+/ballot-box/report")
HIDDEN = ("h", "f", "a", "T", "D", "M", "L")


def is_voting_path(path: str) -> bool:
    return bool(VOTING_PATH.match(path or ""))


class PrivateVotingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        if not is_voting_path(environ.get("PATH_INFO", "")):
            return atoms
        for name in HIDDEN:
            atoms[name] = "-"
        atoms["t"] = time.strftime("[%d/%b/%Y]", time.gmtime())
        for name in list(atoms):
            # request headers ({..}i) and environ values ({..}e) name the client
            if name.startswith("{") and name[-2:] in ("}i", "}e"):
                atoms[name] = "-"
        return atoms
