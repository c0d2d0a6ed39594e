"""`PostgresStore`: the native store in a PostgreSQL database, against the server named by
$CREDITBOOK_PG_DSN. These tests need that server: `make pg-faces` starts a throwaway one and runs
them (`pytest -m postgres`); `python/check.sh test` leaves them out (`-m "not postgres"`). Without
the variable they fail, never skip. Each test keeps to tables of its own (a table prefix or a
schema named after the test and the process)."""

from __future__ import annotations

import os
import socket
import threading
import time
from decimal import Decimal

import pytest

import creditbook
from creditbook import Book, PostgresStore

from _support import AT, DAY, book_with_account, settings

pytestmark = pytest.mark.postgres

# The password put in the refused DSNs: no message may show it.
SECRET = "pw-s3cret-py"
# sqlstate_code("08006") of creditbook-postgres: the connection failed.
CONNECTION_FAILURE = 100663808


@pytest.fixture
def dsn() -> str:
    value = os.environ.get("CREDITBOOK_PG_DSN", "")
    if not value:
        pytest.fail("CREDITBOOK_PG_DSN is not set: make pg-faces starts a server and sets it")
    return value


def prefix(request: pytest.FixtureRequest) -> str:
    """A table prefix of this test in this process (lowercase, at most 55 bytes)."""
    name = request.node.name.lower().replace("test_", "", 1)[:30]
    return f"py{os.getpid()}_{name}_"


def test_a_second_register_sees_the_charge_and_replays_answer_replayed(
    dsn: str, request: pytest.FixtureRequest
) -> None:
    p = prefix(request)
    store1 = PostgresStore(dsn, table_prefix=p)
    till1 = book_with_account(Decimal("200.00"), store=store1)
    assert till1.store is store1
    assert "port=postgres" in repr(till1)
    assert repr(store1) == f'PostgresStore(entries="public"."{p}entries")'
    first = till1.charge("C-1", Decimal("120.00"), sale="S-1", at=AT, op_id="c1")
    assert not first.replayed

    # Another register: its own store and pool, on the same tables.
    store2 = PostgresStore(dsn, pool_size=1, table_prefix=p)
    till2 = Book(settings(), store=store2)
    assert till2.summary("C-1", DAY).balance_owed == Decimal("120.00")
    assert [a.account_id for a in till2.accounts(DAY)] == ["C-1"]
    again = till2.charge("C-1", Decimal("120.00"), sale="S-1", at=AT, op_id="c1")
    assert again.replayed
    assert again.invoice_id == first.invoice_id == 2
    assert store2.entry_count() == 2  # the opening and one charge
    with pytest.raises(creditbook.OperationIdConflict):
        till2.charge("C-1", Decimal("5.00"), at=AT, op_id="c1")
    with pytest.raises(creditbook.CreditLimitExceeded) as e:
        till2.charge("C-1", Decimal("90.00"), at=AT, op_id="c2")
    assert e.value.available == Decimal("80.00")
    till2.charge("C-1", Decimal("30.00"), at=AT, op_id="c3")
    # till1 decides on its cached account: the database answers conflict, it catches up and
    # checks the limit against till2's charge.
    with pytest.raises(creditbook.CreditLimitExceeded) as e:
        till1.charge("C-1", Decimal("60.00"), at=AT, op_id="c4")
    assert e.value.available == Decimal("50.00")
    till1.charge("C-1", Decimal("50.00"), at=AT, op_id="c5")
    assert store1.entry_count() == 4
    for book in (till1, till2, Book(settings(), store=PostgresStore(dsn, table_prefix=p))):
        assert book.summary("C-1", DAY).balance_owed == Decimal("200.00")


def test_tables_in_a_schema_of_their_own(dsn: str) -> None:
    schema = f"py{os.getpid()}_shop"
    store = PostgresStore(dsn, schema=schema)
    assert store.entries_table == f'"{schema}"."creditbook_entries"'
    book = book_with_account(store=store)
    book.charge("C-1", Decimal("10.00"), at=AT, op_id="c1")
    assert store.entry_count() == 2
    # the default tables (public.creditbook_*) are another store
    other = Book(settings(), store=PostgresStore(dsn, schema=f"py{os.getpid()}_other"))
    assert other.accounts(DAY) == []


def test_the_store_contract(dsn: str, request: pytest.FixtureRequest) -> None:
    report = creditbook.check_store(PostgresStore(dsn, table_prefix=prefix(request)))
    assert isinstance(report, str) and report != ""


def test_threads_share_one_book(dsn: str, request: pytest.FixtureRequest) -> None:
    store = PostgresStore(dsn, table_prefix=prefix(request))
    book = book_with_account(Decimal("1000.00"), store=store)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            for n in range(10):
                book.charge("C-1", Decimal("1.00"), at=AT, op_id=f"t{i}-{n}")
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.entry_count() == 41
    fresh = Book(settings(), store=PostgresStore(dsn, table_prefix=prefix(request)))
    assert fresh.summary("C-1", DAY).balance_owed == Decimal("40.00")


def refused(bad: str) -> creditbook.StorageError:
    with pytest.raises(creditbook.StorageError) as e:
        PostgresStore(bad)
    err = e.value
    assert isinstance(err, creditbook.CreditbookError) and err.code == 601
    for text in (str(err), repr(err), err.host_message, repr(err.args)):
        assert SECRET not in text
    return err


def test_bad_dsns_and_unreachable_servers_are_refused_without_the_password(dsn: str) -> None:
    err = refused(f"host=/tmp port=notaport user=till password={SECRET}")
    assert err.host_code == -6 and "invalid PostgreSQL store options: the DSN" in str(err)
    err = refused(f"postgresql://till:{SECRET}@localhost:notaport/shop")
    assert err.host_code == -6
    err = refused(f"host=127.0.0.1 port=1 user=till dbname=shop password={SECRET}")
    assert err.host_code == CONNECTION_FAILURE and "PostgreSQL 08006" in str(err)
    # the server answers and refuses: its own SQLSTATE (3D000, no such database)
    err = refused(f"{dsn} dbname=creditbook_no_such_db password={SECRET}")
    assert "PostgreSQL 3D000" in str(err) and "creditbook_no_such_db" in str(err)
    assert err.host_code not in (-6, CONNECTION_FAILURE)
    # bad names: refused by the store before anything is created
    with pytest.raises(creditbook.StorageError) as e:
        PostgresStore(dsn, table_prefix="Bad-Prefix")
    assert e.value.host_code == -6 and "table prefix" in str(e.value)
    # bad arguments
    with pytest.raises(TypeError, match="dsn must be a str"):
        PostgresStore(dsn.encode())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="pool_size must be an int"):
        PostgresStore(dsn, pool_size=True)
    with pytest.raises(creditbook.InvalidInput, match="pool_size"):
        PostgresStore(dsn, pool_size=0)


def test_the_gil_is_released_while_connecting() -> None:
    # A "server" that accepts the connection and never answers: the store waits in Rust.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    outcome: list[BaseException] = []

    def connect() -> None:
        try:
            PostgresStore(f"host=127.0.0.1 port={port} user=till dbname=shop password={SECRET}")
        except BaseException as e:
            outcome.append(e)

    t = threading.Thread(target=connect)
    t.start()
    conn, _ = listener.accept()
    ticks = 0
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        ticks += 1
        time.sleep(0.01)
    # With the GIL held by the waiting constructor, this thread could not have ticked.
    assert t.is_alive() and outcome == []
    assert ticks >= 10
    conn.close()  # the "server" goes away: the connection fails
    listener.close()
    t.join(30)
    assert not t.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], creditbook.StorageError)
    assert outcome[0].host_code == CONNECTION_FAILURE
    assert SECRET not in str(outcome[0])
