"""A Book over a store written in Python: records, conflicts, failures, restarts."""

from __future__ import annotations

import sqlite3
import sys
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

import pytest

import creditbook
from creditbook import Book

from _support import AT, DAY, MemoryPort, book_with_account, settings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "python"
sys.path.insert(0, str(EXAMPLES))
import back_office  # noqa: E402
import host_store  # noqa: E402


def test_entries_cross_as_records_and_survive_a_new_book() -> None:
    port = MemoryPort()
    book = book_with_account(store=port)
    assert book.store is port
    book.charge("C-1", Decimal("120.00"), sale="S-1", at=AT, op_id="c")
    assert [creditbook.Entry.from_record(r).kind for r in port.records["C-1"]] == [
        "account_opened", "charge"]
    fresh = Book(settings(), store=port)
    assert fresh.summary("C-1", DAY).balance_owed == Decimal("120.00")
    assert fresh.charge("C-1", Decimal("120.00"), sale="S-1", at=AT, op_id="c").replayed


def test_a_conflict_makes_the_book_catch_up_and_decide_again() -> None:
    port = MemoryPort()
    till1 = book_with_account(Decimal("100.00"), store=port)
    till2 = Book(settings(), store=port)
    till2.summary("C-1", DAY)  # till2 caches the account at version 1
    till1.charge("C-1", Decimal("80.00"), at=AT, op_id="t1")
    # till2 decides on its stale state, the store answers Conflict, till2 catches up and the
    # limit is checked against the 80.00 already owed.
    with pytest.raises(creditbook.CreditLimitExceeded) as e:
        till2.charge("C-1", Decimal("30.00"), at=AT, op_id="t2")
    assert e.value.available == Decimal("20.00")


class Failing(MemoryPort):
    def __init__(self, method: str, exc: BaseException) -> None:
        super().__init__()
        self.method, self.exc, self.armed = method, exc, False

    def _maybe_fail(self, method: str) -> None:
        if self.armed and method == self.method:
            raise self.exc

    def load(self, account: str, after: int) -> list[str]:
        self._maybe_fail("load")
        return super().load(account, after)

    def append(self, account: str, expected_version: int, records: Sequence[str]) -> None:
        self._maybe_fail("append")
        super().append(account, expected_version, records)

    def account_ids(self) -> list[str]:
        self._maybe_fail("account_ids")
        return super().account_ids()


@pytest.mark.parametrize("method", ["append", "load", "account_ids"])
def test_a_port_exception_is_a_storage_error_with_its_cause(method: str) -> None:
    port = Failing(method, OSError("disk full"))
    book = book_with_account(store=port)
    port.armed = True
    with pytest.raises(creditbook.StorageError) as e:
        if method == "account_ids":
            book.accounts(DAY)
        elif method == "load":
            Book(settings(), store=port).charge("C-1", Decimal("1.00"), at=AT, op_id="c")
        else:
            book.charge("C-1", Decimal("1.00"), at=AT, op_id="c")
    assert type(e.value) is creditbook.StoreFailed and e.value.code == 601
    assert isinstance(e.value, creditbook.StorageError)
    assert e.value.__cause__ is port.exc
    assert e.value.host_code == creditbook.PYTHON_PORT_FAILED
    assert "OSError: disk full" in str(e.value)
    port.armed = False
    assert len(port.records["C-1"]) == 1  # nothing recorded
    assert book.summary("C-1", DAY).balance_owed == Decimal("0.00")


def test_port_errors_do_not_leak_into_later_calls() -> None:
    port = Failing("append", ValueError("boom"))
    book = book_with_account(store=port)
    port.armed = True
    with pytest.raises(creditbook.StorageError):
        book.charge("C-1", Decimal("1.00"), at=AT, op_id="c")
    port.armed = False
    with pytest.raises(creditbook.CreditLimitExceeded) as e:
        book.charge("C-1", Decimal("900.00"), at=AT, op_id="c")
    assert e.value.__cause__ is None


def test_a_store_that_always_conflicts_gives_up() -> None:
    class Busy(MemoryPort):
        def append(self, account: str, expected_version: int, records: Sequence[str]) -> None:
            if account == "C-1" and expected_version > 0:
                raise creditbook.Conflict("someone else")
            super().append(account, expected_version, records)

    book = book_with_account(store=Busy())
    with pytest.raises(creditbook.StoreContention) as e:
        book.charge("C-1", Decimal("1.00"), at=AT, op_id="c")
    assert e.value.code == 600 and isinstance(e.value, creditbook.StorageError)


@pytest.mark.parametrize("records", [["{not json"], [42], None])
def test_unreadable_records_fail_the_call(records: Any) -> None:
    class Broken(MemoryPort):
        def load(self, account: str, after: int) -> Any:
            return records

    with pytest.raises(creditbook.StorageError):
        Book(settings(), store=Broken()).summary("C-1", DAY)


def test_a_store_must_have_the_three_methods() -> None:
    with pytest.raises(TypeError, match="load"):
        Book(settings(), store=object())  # type: ignore[arg-type]


def test_a_port_may_call_the_book_back() -> None:
    seen: list[Decimal] = []

    class Auditing(MemoryPort):
        book: Book

        def append(self, account: str, expected_version: int, records: Sequence[str]) -> None:
            super().append(account, expected_version, records)
            if expected_version > 0:
                seen.append(self.book.summary(account, DAY).balance_owed)

    port = Auditing()
    port.book = book_with_account(store=port)
    port.book.charge("C-1", Decimal("5.00"), at=AT, op_id="c")
    assert seen == [Decimal("5.00")]


def test_host_sqlite3_store_concurrent_tills(tmp_path: Path) -> None:
    store = host_store.Sqlite3Store(tmp_path / "db.sqlite")
    tills = [book_with_account(Decimal("1000.00"), store=store)] + [
        Book(settings(), store=store) for _ in range(3)]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            for n in range(25):
                tills[i].charge("C-1", Decimal("1.00"), at=AT, op_id=f"t{i}-{n}")
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Book(settings(), store=store).summary("C-1", DAY).balance_owed == Decimal("100.00")
    store.close()


def test_host_store_example_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert host_store.main(["--db", str(tmp_path / "host.sqlite")]) == 0
    out = capsys.readouterr().out
    assert "till 2 refused: credit limit exceeded: 50.00 available" in out
    assert "C-100 owes 150.00" in out
    # the entries are in the host's own table, as the host wrote them
    con = sqlite3.connect(str(tmp_path / "host.sqlite"))
    kinds = [creditbook.Entry.from_record(r).kind for (r,) in con.execute(
        "SELECT record FROM entries WHERE account = 'C-100' ORDER BY version")]
    con.close()
    assert kinds == ["account_opened", "charge"]


def test_back_office_example_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "bo.sqlite3"
    assert back_office.main(["--db", str(db), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "same figures" in out
    # the example ran on creditbook's own SQLite store: its schema, every account's entries
    con = sqlite3.connect(str(db))
    (app_id,) = con.execute("PRAGMA application_id").fetchone()
    accounts = [a for (a,) in con.execute("SELECT account FROM accounts ORDER BY account")]
    con.close()
    assert app_id == 0x4372426B
    assert [a for a in accounts if not a.startswith("~")] == ["C-100", "C-101", "C-102", "C-103"]
    html = sorted(tmp_path.glob("*.html"))
    assert [p.name for p in html] == ["C-100-20261130-fr.html", "C-101-20261130-en.html",
                                      "C-102-20261130-es.html", "C-103-20261130-en.html"]
    assert "Estado de cuenta" in (tmp_path / "C-102-20261130-es.txt").read_text(encoding="utf-8")


class LockedPort(MemoryPort):
    """MemoryPort made thread-safe, as a store shared by threads must be."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()

    def load(self, account: str, after: int) -> list[str]:
        with self.lock:
            return super().load(account, after)

    def append(self, account: str, expected_version: int, records: Sequence[str]) -> None:
        with self.lock:
            super().append(account, expected_version, records)

    def account_ids(self) -> list[str]:
        with self.lock:
            return super().account_ids()


class Forgetful(LockedPort):
    """Acknowledges appends without keeping them."""

    def append(self, account: str, expected_version: int, records: Sequence[str]) -> None:
        pass


def test_the_store_contract_kit_passes_correct_stores_and_names_what_a_broken_one_breaks(
    tmp_path: Path,
) -> None:
    report = creditbook.check_store(LockedPort())
    assert report.startswith("10 checks passed (")
    # The example of a host-written store, over the host's own sqlite3 database.
    example = host_store.Sqlite3Store(tmp_path / "host.db")
    assert "10 checks passed" in creditbook.check_store(example)
    example.close()
    assert "10 checks passed" in creditbook.check_store(creditbook.SqliteStore(str(tmp_path / "c.db")))
    with pytest.raises(AssertionError) as broken:
        creditbook.check_store(Forgetful())
    assert "store conformance check" in str(broken.value)
    with pytest.raises(TypeError):
        creditbook.check_store(object())  # type: ignore[arg-type]
