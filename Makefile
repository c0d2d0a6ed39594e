# creditbook: the README's commands. Every target installs what it needs.
.PHONY: demo test lint unit doc ubl month-end bench

CARGO ?= cargo

## make demo: the quickstart, a shop's month on account on the embedded store
demo:
	$(CARGO) run --quiet -p creditbook --example quickstart

## make test: formatting, lints, every test (unit, integration, property, concurrency, doc, examples)
## and the UBL statements against the OASIS XSD
test: lint unit doc ubl month-end

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

unit:
	$(CARGO) test --workspace --all-targets --locked
	$(CARGO) test --workspace --doc --locked

doc:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps --locked

## make ubl: every UBL 2.1 Statement sample validated with xmllint against the official XSD
## (installs xmllint and, in .venv, the XSDs when missing)
ubl:
	CARGO="$(CARGO)" tests/ubl/validate.sh

## make month-end: the month-end run on a small export, checked against an independent oracle,
## with bad input refused at its line and nothing left half-written
month-end:
	CARGO="$(CARGO)" tests/month_end/check.sh

## make bench: the performance figures of BENCHMARKS.md (never run in CI)
bench:
	$(CARGO) bench -p creditbook --bench book --locked
	$(CARGO) bench -p creditbook --bench memory --locked
	CARGO="$(CARGO)" tests/month_end/bench.sh
