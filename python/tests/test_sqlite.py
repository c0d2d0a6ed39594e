"""`SqliteStore`: the native durable store, on real files under tmp_path."""

from __future__ import annotations

import gc
import sqlite3
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

import creditbook
from creditbook import Book, SqliteStore

from _support import AT, DAY, book_with_account, settings


# Python's sqlite3 is another copy of SQLite than the one compiled into creditbook. Two copies in
# one process do not see each other's POSIX locks (and closing a file in one drops the other's
# locks), so while a SqliteStore has a file open, these tests touch it with sqlite3 only from
# another process, as any other program on the machine would.

READ_SEQS = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
print(",".join(str(s) for (s,) in con.execute(
    "SELECT seq FROM entries WHERE account = ? ORDER BY seq", (sys.argv[2],))))
"""


def rows(path: Path, account: str) -> list[int]:
    """The entry numbers of `account` in the file, read by another process with sqlite3."""
    out = subprocess.run([sys.executable, "-c", READ_SEQS, str(path), account], check=True,
                         capture_output=True, text=True, timeout=60).stdout.strip()
    return [int(s) for s in out.split(",")] if out else []


HOLD_WRITE_LOCK = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
con.execute("COMMIT")
con.close()
"""


def test_entries_survive_the_book_and_the_store_being_dropped(tmp_path: Path) -> None:
    path = tmp_path / "till.sqlite3"
    store = SqliteStore(path)
    book = book_with_account(store=store)
    assert book.store is store
    assert "port=sqlite" in repr(book)
    book.charge("C-1", Decimal("120.00"), sale="S-1", at=AT, op_id="c1")
    del book, store
    gc.collect()
    assert not (tmp_path / "till.sqlite3-wal").exists()  # the last connection closed
    assert rows(path, "C-1") == [1, 2]

    book = Book(settings(), store=SqliteStore(str(path)))
    assert book.summary("C-1", DAY).balance_owed == Decimal("120.00")
    again = book.charge("C-1", Decimal("120.00"), sale="S-1", at=AT, op_id="c1")
    assert again.replayed
    with pytest.raises(creditbook.OperationIdConflict):
        book.charge("C-1", Decimal("5.00"), at=AT, op_id="c1")
    book.charge("C-1", Decimal("30.00"), at=AT, op_id="c2")
    assert rows(path, "C-1") == [1, 2, 3]
    assert [a.account_id for a in book.accounts(DAY)] == ["C-1"]


def test_two_books_on_one_file_in_one_process(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    till1 = book_with_account(Decimal("200.00"), store=SqliteStore(path))
    till2 = Book(settings(), store=SqliteStore(path, synchronous="normal", busy_timeout=1))
    assert till2.summary("C-1", DAY).available == Decimal("200.00")  # till2 caches version 1
    till1.charge("C-1", Decimal("150.00"), at=AT, op_id="t1")
    # till2 decides on its cached state, the file answers Conflict, till2 catches up and the
    # limit is checked against till1's charge.
    with pytest.raises(creditbook.CreditLimitExceeded) as e:
        till2.charge("C-1", Decimal("60.00"), at=AT, op_id="t2")
    assert e.value.available == Decimal("50.00")
    till2.charge("C-1", Decimal("50.00"), at=AT, op_id="t3")
    assert till1.summary("C-1", DAY).balance_owed == Decimal("200.00")
    assert rows(path, "C-1") == [1, 2, 3]


def test_threads_share_one_book_on_the_file(tmp_path: Path) -> None:
    path = tmp_path / "threads.sqlite3"
    book = book_with_account(Decimal("1000.00"), store=SqliteStore(path, synchronous="normal"))
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            for n in range(25):
                book.charge("C-1", Decimal("1.00"), at=AT, op_id=f"t{i}-{n}")
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert rows(path, "C-1") == list(range(1, 102))
    fresh = Book(settings(), store=SqliteStore(path))
    assert fresh.summary("C-1", DAY).balance_owed == Decimal("100.00")


def test_the_gil_is_released_while_sqlite_waits(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite3"
    book = book_with_account(store=SqliteStore(path, busy_timeout=2.0))
    # Another program holds the write lock: the charge waits in SQLite's busy handler.
    with subprocess.Popen([sys.executable, "-c", HOLD_WRITE_LOCK, str(path)],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as other:
        assert other.stdout is not None and other.stdin is not None
        assert other.stdout.readline().strip() == "locked"
        done: list[object] = []
        t = threading.Thread(
            target=lambda: done.append(book.charge("C-1", Decimal("10.00"), at=AT, op_id="c")))
        t.start()
        # With the GIL held by the waiting charge, this thread could not run until it gave up.
        ticks = 0
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            ticks += 1
            time.sleep(0.01)
        assert t.is_alive() and done == []
        assert ticks >= 10
        other.stdin.write("go\n")  # the other program commits: the charge goes through
        other.stdin.flush()
        assert other.wait(30) == 0
        t.join(10)
    assert len(done) == 1 and not t.is_alive()
    assert book.summary("C-1", DAY).balance_owed == Decimal("10.00")


def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    text = "Quincaillerie Lapointe: the day's notes.\n" * 100
    path.write_text(text, encoding="utf-8")
    with pytest.raises(creditbook.StorageError) as e:
        SqliteStore(path)
    assert isinstance(e.value, creditbook.CreditbookError)
    assert e.value.code == 601
    assert e.value.host_code == 26
    assert "is not a creditbook database" in str(e.value)
    assert str(path) in e.value.host_message
    assert path.read_text(encoding="utf-8") == text
    assert not (tmp_path / "notes.txt-wal").exists()


def test_another_applications_database_and_a_newer_schema_are_refused(tmp_path: Path) -> None:
    theirs = tmp_path / "inventory.sqlite3"
    con = sqlite3.connect(str(theirs))
    con.execute("CREATE TABLE items (sku TEXT)")
    con.commit()
    con.close()
    with pytest.raises(creditbook.StorageError, match="another application") as e:
        SqliteStore(theirs)
    assert e.value.host_code == 26

    ours = tmp_path / "ours.sqlite3"
    book_with_account(store=SqliteStore(ours))
    gc.collect()
    con = sqlite3.connect(str(ours))
    con.execute("PRAGMA user_version = 2")
    con.commit()
    con.close()
    with pytest.raises(creditbook.StorageError, match="schema 2") as e:
        SqliteStore(ours)
    assert e.value.host_code == 17


def test_a_missing_directory_gives_sqlites_reason(tmp_path: Path) -> None:
    with pytest.raises(creditbook.StorageError) as e:
        SqliteStore(tmp_path / "missing" / "till.sqlite3")
    assert e.value.host_code == 14  # SQLITE_CANTOPEN
    assert "unable to open" in e.value.host_message


def test_arguments_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "never.sqlite3"
    with pytest.raises(creditbook.InvalidInput, match="full, normal"):
        SqliteStore(path, synchronous="sometimes")
    with pytest.raises(TypeError):
        SqliteStore(path, synchronous=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        SqliteStore(path, busy_timeout=True)
    with pytest.raises(TypeError):
        SqliteStore(path, busy_timeout="5")  # type: ignore[arg-type]
    with pytest.raises(creditbook.InvalidInput, match="busy_timeout"):
        SqliteStore(path, busy_timeout=-1)
    with pytest.raises(creditbook.InvalidInput, match="busy_timeout"):
        SqliteStore(path, busy_timeout=float("nan"))
    with pytest.raises(TypeError):
        SqliteStore(42)  # type: ignore[arg-type]
    assert not path.exists()


def test_backup_while_open(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "till.sqlite3")
    assert store.path == tmp_path / "till.sqlite3"
    book = book_with_account(store=store)
    book.charge("C-1", Decimal("42.00"), at=AT, op_id="c")
    store.backup_to(tmp_path / "backup.sqlite3")
    restored = Book(settings(), store=SqliteStore(tmp_path / "backup.sqlite3"))
    assert restored.summary("C-1", DAY).balance_owed == Decimal("42.00")
    with pytest.raises(creditbook.StorageError):
        store.backup_to(tmp_path / "backup.sqlite3")  # never over an existing file
    store.checkpoint()
    assert (tmp_path / "till.sqlite3-wal").stat().st_size == 0
