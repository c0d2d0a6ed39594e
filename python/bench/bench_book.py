"""Python benchmarks of BENCHMARKS.md ("Python"): run by `make bench`, never by `make test`.

- charge: `book.charge` from Python, 100,000 calls on one account (fresh operation ids made
  beforehand, one Decimal amount, one aware datetime), best of 5 runs, per call.
- statement: the Rust bench's account (core/benches/book.rs `busy_account(10_000, 300)`: 10,000
  entries over 300 days, every one in the period) built and rendered from Python:
  `book.statement(...)` then `st.to_html()` / `st.to_text(80)`, median and fastest of 50 calls,
  each result freed outside the timed region (as divan does), against the
  Rust benches `book::statement_10k_entries_*` (`cargo bench -p creditbook --bench book --
  statement_10k`).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from decimal import Decimal
from typing import Callable

import creditbook
from creditbook import Book, StoreSettings

START = dt.datetime(2026, 1, 5, 15, 0, tzinfo=dt.timezone.utc)


def book_with_account(limit: Decimal | None) -> Book:
    book = Book(StoreSettings("Bench", "CAD", "America/Toronto"))
    book.open_account("C-1", customer_name="Bench Customer", customer_id="c1",
                      credit_limit=limit, at=START, op_id="open")
    return book


def bench_charge(calls: int = 100_000, runs: int = 5) -> float:
    best = float("inf")
    amount = Decimal("12.50")
    for run in range(runs):
        book = book_with_account(Decimal("10000000000.00"))
        ops = [f"op-{i}" for i in range(calls)]
        charge = book.charge
        t0 = time.perf_counter()
        for op in ops:
            charge("C-1", amount, at=START, op_id=op)
        best = min(best, (time.perf_counter() - t0) / calls)
    return best


def busy_account(n: int, days: int) -> tuple[Book, dt.date, dt.date]:
    """The same ledger as the Rust bench's busy_account."""
    book = book_with_account(None)
    step = dt.timedelta(minutes=days * 24 * 60 // n)
    at = START
    for i in range(1, n):
        at += step
        op = f"op-{i}"
        if i % 10 == 0:
            book.deposit("C-1", Decimal("50.00"), reference="layaway", at=at, op_id=op)
        elif i % 10 in (3, 6, 9):
            book.pay("C-1", Decimal("25.00"), at=at, op_id=op)
        else:
            book.charge("C-1", Decimal("19.99"), sale=f"S-{i}", at=at, op_id=op)
    return book, START.date(), at.date()


def median_time(f: Callable[[], object], runs: int = 50) -> tuple[float, float]:
    """Median time of one call. Each result is freed before the next call, outside the timed
    region (divan, which times the Rust side, drops outputs outside it too)."""
    f()  # warm up
    times = []
    result: object = None
    for _ in range(runs):
        result = None
        t0 = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - t0)
    del result
    return statistics.median(times), min(times)


def main() -> None:
    print(f"creditbook {creditbook.__version__} Python benchmarks")
    per_call = bench_charge()
    print(f"charge: {per_call * 1e6:.2f} µs per call (best of 5 x 100,000 calls)")
    book, start, end = busy_account(10_000, 300)
    st = book.statement("C-1", start=start, end=end)
    print(f"statement of {len(st.lines)} lines:")
    rows = [
        ("compute", lambda: book.statement("C-1", start=start, end=end),
         "book::statement_10k_entries_compute"),
        ("to_html", st.to_html, "book::statement_10k_entries_html"),
        ("to_text", lambda: st.to_text(80), "book::statement_10k_entries_text"),
    ]
    print("  (median, fastest of 50 calls; compare with the Rust bench named)")
    for name, f, rust in rows:
        median, fastest = median_time(f)
        print(f"  {name:<8} {median * 1e3:.3f} ms, fastest {fastest * 1e3:.3f} ms   ({rust})")


if __name__ == "__main__":
    main()
