"""A copy of every table, sequence, Redis key and the SMS and e-mail outboxes,
taken once and put back in as many tests as need it: seeding the demo costs
seconds, putting its copy back a few hundredths (PostgreSQL's binary COPY, Redis's
DUMP/RESTORE)."""

from dataclasses import dataclass, field
from pathlib import Path

from redis import Redis
from sqlalchemy import text

OUTBOXES = ("SMS_OUTBOX", "EMAIL_OUTBOX")
SEQUENCES = text(
    "SELECT sequencename, last_value FROM pg_sequences "
    "WHERE schemaname = 'public' AND last_value IS NOT NULL"
)


@dataclass
class Snapshot:
    tables: list[tuple[str, bytes]] = field(default_factory=list)
    sequences: list[tuple[str, int]] = field(default_factory=list)
    keys: list[tuple[bytes, int, bytes]] = field(default_factory=list)
    outboxes: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def take(cls, app) -> "Snapshot":
        """Copy what the committed tables and the Redis database hold now."""
        from pbvote.extensions import db

        snapshot = cls()
        with app.app_context(), db.engine.connect() as connection:
            cursor = connection.connection.driver_connection.cursor()
            for table in db.metadata.sorted_tables:
                data = bytearray()
                with cursor.copy(
                    f'COPY "{table.name}" TO STDOUT (FORMAT binary)'
                ) as copy:
                    for chunk in copy:
                        data += chunk
                snapshot.tables.append((table.name, bytes(data)))
            snapshot.sequences = [tuple(r) for r in connection.execute(SEQUENCES)]
        redis = Redis.from_url(app.config["REDIS_URL"])
        for key in redis.scan_iter(count=1000):
            ttl = redis.pttl(key)
            snapshot.keys.append((key, max(ttl, 0), redis.dump(key)))
        for setting in OUTBOXES:
            outbox = Path(app.config[setting])
            if outbox.exists():
                snapshot.outboxes[setting] = outbox.read_bytes()
        return snapshot

    def restore(self, app) -> None:
        """Put the copy back into empty tables through ``db.session``'s connection
        (so into a rolled-back test's transaction too) and commit."""
        from pbvote.extensions import db

        with app.app_context():
            connection = db.session.connection()
            cursor = connection.connection.driver_connection.cursor()
            for name, data in self.tables:  # parents before children
                with cursor.copy(f'COPY "{name}" FROM STDIN (FORMAT binary)') as copy:
                    copy.write(data)
            for name, value in self.sequences:
                connection.execute(
                    text("SELECT setval(:name, :value)"),
                    {"name": f'public."{name}"', "value": value},
                )
            db.session.commit()
        redis = Redis.from_url(app.config["REDIS_URL"])
        for key, ttl, value in self.keys:
            redis.restore(key, ttl, value, replace=True)
        for setting, data in self.outboxes.items():
            Path(app.config[setting]).write_bytes(data)
