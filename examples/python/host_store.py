"""A creditbook store written by the host, in Python, over the host's own database (sqlite3 here).

creditbook ships a durable store (`creditbook.SqliteStore`); a host whose accounts must live in
its own database writes a store port instead: any object with `load`, `append` and `account_ids`
(`creditbook.StorePort`). Entries cross as text records (`Entry.to_record()`), so the store keeps
strings and never parses amounts. The Book calls the port synchronously on the calling thread.

Run: `python examples/python/host_store.py [--db FILE]` (a temporary one by default).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import sys
import tempfile
import threading
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Sequence

import creditbook
from creditbook import Book, Conflict, StoreSettings


class Sqlite3Store:
    """A creditbook store port over sqlite3: one table of entries, one row per entry.

    `version` is the entry's number in its account (1, 2, ...), so the primary key
    `(account, version)` is the optimistic concurrency check: an append at a version someone
    else already wrote breaks the key, and the whole append is rolled back as a `Conflict`.
    """

    def __init__(self, path: str | Path) -> None:
        # One connection shared by the Book's callers (tills on several threads): sqlite3
        # connections are not for concurrent use, so a lock serializes the calls.
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS entries ("
                " account TEXT NOT NULL,"
                " version INTEGER NOT NULL,"
                " record TEXT NOT NULL,"
                " PRIMARY KEY (account, version)"
                ") WITHOUT ROWID"
            )

    def load(self, account: str, after: int) -> list[str]:
        # `after` is any version up to 2**64 - 1; SQLite integers stop at 2**63 - 1 (the
        # conformance kit asks for the largest, and no account is that long).
        after = min(after, 2**63 - 1)
        with self._lock:
            rows = self._db.execute(
                "SELECT record FROM entries WHERE account = ? AND version > ? ORDER BY version",
                (account, after),
            ).fetchall()
        return [r[0] for r in rows]

    def append(self, account: str, expected_version: int, records: Sequence[str]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                (current,) = self._db.execute(
                    "SELECT COALESCE(MAX(version), 0) FROM entries WHERE account = ?", (account,)
                ).fetchone()
                if current != expected_version:
                    raise Conflict(f"{account} is at version {current}, not {expected_version}")
                self._db.executemany(
                    "INSERT INTO entries (account, version, record) VALUES (?, ?, ?)",
                    [(account, expected_version + 1 + i, r) for i, r in enumerate(records)],
                )
            except sqlite3.IntegrityError as e:
                self._db.execute("ROLLBACK")
                raise Conflict(str(e)) from e
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def account_ids(self) -> list[str]:
        with self._lock:
            rows = self._db.execute("SELECT DISTINCT account FROM entries ORDER BY account")
            return [r[0] for r in rows.fetchall()]

    def close(self) -> None:
        with self._lock:
            self._db.close()


SETTINGS = dict(name="Quincaillerie Lapointe", currency="CAD", timezone="America/Montreal")
AT = dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.timezone.utc)
DAY = dt.date(2026, 11, 30)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", help="sqlite database file (default: a temporary one)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "host.sqlite"
        store = Sqlite3Store(db)
        till1 = Book(StoreSettings(**SETTINGS), store=store)  # type: ignore[arg-type]
        till2 = Book(StoreSettings(**SETTINGS), store=store)  # type: ignore[arg-type]
        till1.open_account(
            "C-100", customer_name="Marie Tremblay", credit_limit=Decimal("200.00"), at=AT,
            op_id="open-C-100", actor=creditbook.Actor("manager", ["credit_limit"]),
        )
        till2.summary("C-100", DAY)  # till 2 has the account cached
        till1.charge("C-100", Decimal("150.00"), sale="S-1", at=AT, op_id="till1-1")
        try:
            # till 2's append meets till 1's entry (Conflict): it catches up and decides again
            till2.charge("C-100", Decimal("80.00"), sale="S-2", at=AT, op_id="till2-1")
            raise AssertionError("till 2 charged past the limit")
        except creditbook.CreditLimitExceeded as e:
            print(f"till 2 refused: {e}")
        store.close()
        del till1, till2, store

        store = Sqlite3Store(db)
        book = Book(StoreSettings(**SETTINGS), store=store)  # type: ignore[arg-type]
        again = book.charge("C-100", Decimal("150.00"), sale="S-1", at=AT, op_id="till1-1")
        assert again.replayed, "an operation id must be remembered across a restart"
        owed = book.summary("C-100", DAY).balance_owed
        assert owed == Decimal("150.00"), owed
        print(f"after a restart: C-100 owes {owed}, the charge replayed, not recorded twice")
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
