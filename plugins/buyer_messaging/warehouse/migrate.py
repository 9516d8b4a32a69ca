"""Versioned warehouse migrations: numbered .sql files applied once each, in order.

Safe to run twice and from concurrent tasks: an advisory lock serialises runners and the
ledger table records what is applied (with a checksum so an edited migration is noticed).
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from buyer_messaging.warehouse.connection import one_row

if TYPE_CHECKING:
    from psycopg2.extensions import connection as PgConnection

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_LOCK_KEY = (0x6275, 0x796D)  # two-int key space: outbox rows use the bigint one
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

_LEDGER = """
CREATE TABLE IF NOT EXISTS public.buyer_messaging_migrations (
    version    integer     PRIMARY KEY,
    name       text        NOT NULL,
    checksum   text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


class MigrationError(RuntimeError):
    pass


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path}: migration file names must look like 0001_name.sql")
        found.append(Migration(int(match[1]), match[2], path.read_text()))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"{directory}: two migrations share a version number")
    return found


def pending(conn: PgConnection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """The migrations not applied yet, read-only (for readers such as the dashboard)."""
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('public.buyer_messaging_migrations') IS NOT NULL")
        if one_row(cur)[0]:
            cur.execute("SELECT version FROM public.buyer_messaging_migrations")
            done = {v for (v,) in cur.fetchall()}
        else:
            done = set()
    return [f"{m.version:04d}_{m.name}" for m in discover(directory) if m.version not in done]


def migrate(conn: PgConnection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply pending migrations; returns the names applied (empty when up to date)."""
    applied_now: list[str] = []
    with conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(%s, %s)", _LOCK_KEY)
    try:
        with conn.cursor() as cur:
            cur.execute(_LEDGER)
            cur.execute("SELECT version, checksum FROM public.buyer_messaging_migrations")
            done = dict(cur.fetchall())
        conn.commit()
        for migration in discover(directory):
            if migration.version in done:
                if done[migration.version] != migration.checksum:
                    log.warning(
                        "migration %04d_%s changed after it was applied; not re-applied",
                        migration.version,
                        migration.name,
                    )
                continue
            with conn.cursor() as cur:
                cur.execute(migration.sql)
                cur.execute(
                    "INSERT INTO public.buyer_messaging_migrations (version, name, checksum)"
                    " VALUES (%s, %s, %s)",
                    (migration.version, migration.name, migration.checksum),
                )
            conn.commit()
            applied_now.append(f"{migration.version:04d}_{migration.name}")
            log.info("applied migration %04d_%s", migration.version, migration.name)
    except BaseException:
        conn.rollback()
        raise
    finally:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s, %s)", _LOCK_KEY)
        conn.commit()
    return applied_now
