"""A Book shared between threads: no charge lost, never over the limit."""

from __future__ import annotations

import threading
from decimal import Decimal

import creditbook

from _support import AT, DAY, MemoryPort, book_with_account

THREADS = 8
PER_THREAD = 200


def hammer(book: creditbook.Book, limit: Decimal) -> tuple[int, int]:
    accepted = [0] * THREADS
    declined = [0] * THREADS
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def till(i: int) -> None:
        try:
            barrier.wait()
            for n in range(PER_THREAD):
                try:
                    book.charge("C-1", Decimal("1.25"), at=AT, op_id=f"till{i}-{n}")
                    accepted[i] += 1
                except creditbook.CreditLimitExceeded:
                    declined[i] += 1
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=till, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return sum(accepted), sum(declined)


def test_eight_threads_on_one_account_memory_store() -> None:
    limit = Decimal("1500.00")  # room for 1200 of the 1600 charges
    book = book_with_account(limit)
    accepted, declined = hammer(book, limit)
    assert (accepted, declined) == (1200, 400)
    s = book.summary("C-1", DAY)
    assert s.balance_owed == Decimal("1.25") * accepted == limit
    assert len(book.entries("C-1")) == 1 + accepted  # nothing lost, nothing doubled


def test_eight_threads_on_one_account_python_store() -> None:
    limit = Decimal("500.00")
    port = MemoryPort()
    book = book_with_account(limit, store=port)
    accepted, declined = hammer(book, limit)
    assert accepted == 400 and declined == THREADS * PER_THREAD - 400
    assert book.summary("C-1", DAY).balance_owed == limit
    assert len(port.records["C-1"]) == 1 + accepted
