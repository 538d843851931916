"""Helpers of the SMS tests: time passing for the retries, what Redis holds."""

from sqlalchemy import text

from pbvote.extensions import db


def age_messages(app, seconds: int) -> None:
    """As if the messages had been queued ``seconds`` earlier."""
    with app.app_context():
        db.session.execute(
            text(
                "UPDATE sms_messages "
                "SET created_at_dt = created_at_dt - make_interval(secs => :seconds)"
            ),
            {"seconds": seconds},
        )
        db.session.commit()


def redis_contents(connection) -> bytes:
    """Every key and value of the Redis database, in one string."""
    read = {
        b"string": lambda key: [connection.get(key)],
        b"hash": lambda key: [*connection.hgetall(key).items()],
        b"list": lambda key: connection.lrange(key, 0, -1),
        b"set": lambda key: connection.smembers(key),
        b"zset": lambda key: connection.zrange(key, 0, -1),
    }
    parts = []
    for key in connection.keys("*"):
        kind = connection.type(key)
        assert kind in read, f"unexpected Redis type {kind!r} at {key!r}"
        parts += [key, *(repr(value).encode() for value in read[kind](key))]
    return b"\n".join(parts)
