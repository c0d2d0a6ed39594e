# creditbook: the README's commands. Every target installs what it needs.
.PHONY: demo test lint unit doc ubl pdf pdf-snapshots month-end python bench soak fuzz fuzz-replay header header-check cbindgen c-lib c-test bench-c

CARGO ?= cargo

## make demo: the quickstart, a shop's month on account on the embedded store (with the PDF
## statements in five languages and the month's print run: feature pdf)
demo:
	$(CARGO) run --quiet -p creditbook --features pdf --example quickstart

## make test: formatting, lints, every test (unit, integration, property, concurrency, doc, examples)
## and the UBL statements against the OASIS XSD
## and the C ABI (make c-test) and the Python package (make python), and the fuzz corpus replayed
## (core/tests/fuzz_corpus.rs in unit, every target's binary in fuzz-replay), and the PostgreSQL
## store against a throwaway server (make pg-test), and its C and Python faces against another
## (make pg-faces), the PDF statements with qpdf, pdftotext and pdfdetach (make pdf), and each
## ecosystem's install from an empty prefix, venv or project (make install-test,
## python-install-test, rust-install-test) and the C ABI against the last release's (make
## abi-check); make lint also runs cargo deny (make deny)
test: lint unit pg-test doc ubl pdf month-end c-test python pg-faces fuzz-replay install-test \
	abi-check python-install-test rust-install-test

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

# The PostgreSQL store's tests need a server: pg-test starts a throwaway one and runs them.
unit:
	$(CARGO) test --workspace --exclude creditbook-postgres --all-targets --locked
	$(CARGO) test --workspace --exclude creditbook-postgres --doc --locked

doc:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps --locked

## make ubl: every UBL 2.1 Statement sample validated with xmllint against the official XSD
## (installs xmllint and, in .venv, the XSDs when missing)
ubl:
	CARGO="$(CARGO)" tests/ubl/validate.sh

## make pdf: the PDF statements (docs/pdf.md) read back with qpdf and poppler (installed when
## missing), and the UBL statement inside each validated against the OASIS XSD
pdf:
	CARGO="$(CARGO)" tests/pdf/check.sh

## make pdf-snapshots: the first page of a statement in each language as PNG in docs/pdf-samples
## (for people to look at; not a test)
pdf-snapshots:
	SNAPSHOTS=docs/pdf-samples CARGO="$(CARGO)" tests/pdf/check.sh

## make month-end: the month-end run on a small export, checked against an independent oracle,
## with bad input refused at its line and nothing left half-written
month-end:
	CARGO="$(CARGO)" tests/month_end/check.sh

## make python: the Python package built into .venv (as `pip install ./python` does), its pytest
## suite, the stub check (mypy stubtest), the back-office example on the SQLite store and the
## host-written store example (over sqlite3)
python:
	CARGO="$(CARGO)" python/check.sh test

## make bench: the performance figures of BENCHMARKS.md (never run in CI)
bench:
	$(CARGO) bench -p creditbook --bench book --locked
	$(CARGO) bench -p creditbook --bench memory --locked
	$(CARGO) bench -p creditbook --features pdf --bench pdf --locked
	$(CARGO) bench -p creditbook --features pdf --bench pdf_memory --locked
	CARGO="$(CARGO)" tests/month_end/bench.sh
	$(MAKE) bench-c
	CARGO="$(CARGO)" python/check.sh bench
	$(MAKE) bench-sqlite
	$(MAKE) bench-postgres

## make soak: the deterministic simulation (core/tests/simulation.rs) on many more seeds than
## make test runs, in release mode; a failure prints its seed (rerun it with SIM_SEED=<n>).
## SOAK_SEEDS and SOAK_FIRST choose the seeds (the default takes about 3 minutes on 2 vCPUs).
SOAK_SEEDS ?= 50000
SOAK_FIRST ?= 100001
soak:
	SIM_SEEDS=$(SOAK_SEEDS) SIM_FIRST=$(SOAK_FIRST) $(CARGO) test --release -p creditbook \
		--test simulation --locked -- --nocapture tills_and_back_office

# ---- fuzzing (fuzz/: its own crate and workspace, outside the main build) ----

FUZZ_TARGETS := amount csv_line record statement email ffi
FUZZ_SECONDS ?= 60
FUZZ_TIMEOUT ?= 10
FUZZ_RSS_MB ?= 1024
CARGO_FUZZ := .tools/bin/cargo-fuzz

## make fuzz: every cargo-fuzz target (fuzz/fuzz_targets, bodies in fuzz/checks) for FUZZ_SECONDS
## each (default 60) under AddressSanitizer (FUZZ_SANITIZER=none: without), starting from
## fuzz/corpus/<target>; new inputs go to fuzz/target/corpus/<target>, crashes to
## fuzz/artifacts/<target> (installs cargo-fuzz into .tools when missing). Stable Rust ships the
## sanitizer runtimes; RUSTC_BOOTSTRAP=1 lets it take the -Zsanitizer flag cargo-fuzz passes.
## Never run by make test.
FUZZ_SANITIZER ?= address
fuzz:
	@[ -x $(CARGO_FUZZ) ] || $(CARGO) install cargo-fuzz --locked --root .tools
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/target/corpus/$$t && echo "== fuzz $$t ($(FUZZ_SECONDS) s, $(FUZZ_SANITIZER))" && \
		RUSTC_BOOTSTRAP=1 PATH="$(CURDIR)/.tools/bin:$$PATH" \
			$(CARGO) fuzz run $$t -s $(FUZZ_SANITIZER) \
			fuzz/target/corpus/$$t fuzz/corpus/$$t -- -max_total_time=$(FUZZ_SECONDS) \
			-timeout=$(FUZZ_TIMEOUT) -rss_limit_mb=$(FUZZ_RSS_MB) -print_final_stats=1 || exit 1; \
	done

## make fuzz-replay: the fuzz targets built as plain binaries (no instrumentation) and run once
## on every file of their committed corpus (run by make test; no fuzzing)
fuzz-replay:
	$(CARGO) fmt --manifest-path fuzz/Cargo.toml -- --check
	$(CARGO) build --manifest-path fuzz/Cargo.toml --locked --bins
	@for t in $(FUZZ_TARGETS); do \
		fuzz/target/debug/$$t -runs=1 fuzz/corpus/$$t/* > fuzz/target/replay-$$t.log 2>&1 || \
			{ cat fuzz/target/replay-$$t.log; echo "fuzz corpus replay of $$t failed" >&2; exit 1; }; \
		echo "fuzz corpus replay: $$t, $$(ls fuzz/corpus/$$t | wc -l) files, no panic"; \
	done

# ---- the C ABI (ffi/, include/creditbook.h, tests/c, examples/c) ----

CBINDGEN_VERSION := 0.29.4
CBINDGEN := .tools/bin/cbindgen
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
TARGET := $(CURDIR)/target
C_OUT := $(TARGET)/c
C_LIB := $(TARGET)/debug
CC := gcc
CXX := g++
C_WARNINGS := -Wall -Wextra -Werror -pedantic
C_TEST_FLAGS := -std=c99 $(C_WARNINGS) -g -D_POSIX_C_SOURCE=200809L -Iinclude \
	-DCREDITBOOK_EXPECTED_VERSION='"$(VERSION)"' -DCREDITBOOK_TEST_HOOKS
# test_postgres.c needs a server: make pg-faces builds and runs it (with check.c).
C_TEST_SOURCES := $(filter-out tests/c/bench_charge.c tests/c/test_postgres.c,$(wildcard tests/c/*.c))
# What a Rust static library needs from the system.
C_SYS_LIBS := -lpthread -ldl -lm
PKG_CONFIG_IN_TREE := PKG_CONFIG_PATH=$(TARGET) pkg-config

## make cbindgen: installs the pinned cbindgen into .tools when it is missing or another version
## (point releases change the output, so the version is exact)
cbindgen:
	@[ "$$($(CBINDGEN) --version 2>/dev/null)" = "cbindgen $(CBINDGEN_VERSION)" ] || \
		$(CARGO) install cbindgen --version $(CBINDGEN_VERSION) --locked --root .tools

## make header: regenerates include/creditbook.h from ffi/src (commit it)
header: cbindgen
	$(CBINDGEN) --quiet --config ffi/cbindgen.toml --crate creditbook-ffi \
		--output include/creditbook.h ffi

## make header-check: fails when the committed header is not what ffi/src generates
header-check: cbindgen
	@mkdir -p $(C_OUT)
	$(CBINDGEN) --quiet --config ffi/cbindgen.toml --crate creditbook-ffi \
		--output $(C_OUT)/creditbook.h ffi
	@diff -u include/creditbook.h $(C_OUT)/creditbook.h || \
		{ echo "include/creditbook.h differs from ffi/src: run make header and commit it" >&2; exit 1; }

## make c-lib: libcreditbook.a and libcreditbook.so in target/debug, and target/creditbook.pc, for
## the C tests (with the test-hooks feature: creditbook_test_force_panic; make install builds
## without it). The .so carries its SONAME, libcreditbook.so.0.<minor>: a link by that name sits
## beside it.
VERSION_MAJOR := $(word 1,$(subst ., ,$(VERSION)))
SONAME_VERSION := $(if $(filter 0,$(VERSION_MAJOR)),0.$(word 2,$(subst ., ,$(VERSION))),$(VERSION_MAJOR))
c-lib:
	$(CARGO) build -p creditbook-ffi --features test-hooks --locked
	ln -sfn libcreditbook.so $(C_LIB)/libcreditbook.so.$(SONAME_VERSION)
	sed -e 's|@PREFIX@|$(CURDIR)|' -e 's|@LIBDIR@|$(C_LIB)|' -e 's|@VERSION@|$(VERSION)|' \
		ffi/creditbook.pc.in > $(TARGET)/creditbook.pc

## make c-test: the header (C99, C++17), the C suite and the NULL sweep of every function
## (tests/c/null_sweep.py) under AddressSanitizer+UBSan and under valgrind, the C++ RAII
## wrappers, and the till example run twice over one file
c-test: header-check c-lib
	@command -v valgrind >/dev/null || tests/apt-install.sh valgrind
	@command -v pkg-config >/dev/null || tests/apt-install.sh pkg-config
	@command -v $(CXX) >/dev/null || tests/apt-install.sh g++
	@mkdir -p $(C_OUT)
	$(CC) -std=c99 $(C_WARNINGS) -fsyntax-only -x c include/creditbook.h
	$(CXX) -std=c++17 $(C_WARNINGS) -fsyntax-only -x c++ include/creditbook.h
	$(CC) $(C_TEST_FLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer $(C_TEST_SOURCES) $(C_LIB)/libcreditbook.a $(C_SYS_LIBS) \
		-o $(C_OUT)/tests-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 $(C_OUT)/tests-asan tests/scenarios
	$(CC) $(C_TEST_FLAGS) $(C_TEST_SOURCES) $$($(PKG_CONFIG_IN_TREE) --cflags --libs creditbook) \
		-Wl,-rpath,$(C_LIB) -lpthread -o $(C_OUT)/tests
	CREDITBOOK_TEST_ENTRIES=20000 valgrind --quiet --error-exitcode=1 --leak-check=full \
		--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
		$(C_OUT)/tests tests/scenarios
	python3 tests/c/null_sweep.py $(C_OUT)
	$(CC) $(C_TEST_FLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer $(C_OUT)/null_sweep.c $(C_LIB)/libcreditbook.a $(C_SYS_LIBS) \
		-o $(C_OUT)/null-sweep-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 $(C_OUT)/null-sweep-asan
	$(CC) $(C_TEST_FLAGS) $(C_OUT)/null_sweep.c $$($(PKG_CONFIG_IN_TREE) --cflags --libs creditbook) \
		-Wl,-rpath,$(C_LIB) -lpthread -o $(C_OUT)/null-sweep
	valgrind --quiet --error-exitcode=1 --leak-check=full --show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect $(C_OUT)/null-sweep
	$(CXX) -std=c++17 $(C_WARNINGS) -g -Iinclude tests/c/raii.cpp $(C_LIB)/libcreditbook.a \
		$(C_SYS_LIBS) -o $(C_OUT)/raii
	$(C_OUT)/raii
	$(CC) -std=c99 $(C_WARNINGS) -D_POSIX_C_SOURCE=200809L examples/c/till.c \
		$$($(PKG_CONFIG_IN_TREE) --cflags --libs creditbook) -Wl,-rpath,$(C_LIB) -o $(C_OUT)/till
	tests/c/check_till.sh $(C_OUT)/till

## make bench-c: a charge through the C ABI against the same charge from Rust (release builds)
bench-c: header-check
	$(CARGO) build -p creditbook-ffi --release --locked
	@mkdir -p $(C_OUT)
	$(CC) -std=c99 $(C_WARNINGS) -O2 -D_POSIX_C_SOURCE=200809L -Iinclude tests/c/bench_charge.c \
		$(TARGET)/release/libcreditbook.a $(C_SYS_LIBS) -o $(C_OUT)/bench_charge
	$(CARGO) bench -p creditbook-ffi --bench charge_loop --locked --no-run
	@# C and Rust alternate, twice each, so both see the same machine
	$(C_OUT)/bench_charge
	$(CARGO) bench -p creditbook-ffi --bench charge_loop --locked
	$(C_OUT)/bench_charge
	$(CARGO) bench -p creditbook-ffi --bench charge_loop --locked

## make bench-sqlite: charges per second through the SQLite store against a bare rusqlite program
## (FULL and NORMAL, 1 and 4 threads) and a cold start on a 1,000,000-entry file (docs/stores.md)
.PHONY: bench-sqlite
bench-sqlite:
	$(CARGO) bench -p creditbook-sqlite --bench sqlite --locked

## make pg-test: the PostgreSQL store's tests (creditbook-postgres) against a throwaway server of
## their own (tests/pg/cluster.sh: installs PostgreSQL from the distribution's packages when
## missing, runs it as an unprivileged user on a private Unix socket, stops and removes it at the
## end whatever happened). The tests fail, never skip, without CREDITBOOK_PG_DSN; --all-targets
## also runs the benchmark's smoke run (a few charges) against the server. With the `tls` feature
## (linted here too, as make lint builds without it): tests/tls.rs gives the server a certificate
## made with openssl (installed when missing) and connects over TLS on 127.0.0.1.
.PHONY: pg-test
pg-test:
	@command -v openssl >/dev/null || tests/apt-install.sh openssl
	$(CARGO) clippy -p creditbook-postgres --features tls --all-targets --locked -- -D warnings
	@set -e; eval "$$(tests/pg/cluster.sh start)"; \
		trap 'CREDITBOOK_PG_DIR="$$CREDITBOOK_PG_DIR" tests/pg/cluster.sh stop' EXIT INT TERM; \
		$(CARGO) test -p creditbook-postgres --features tls --all-targets --locked; \
		$(CARGO) test -p creditbook-postgres --doc --locked

## make pg-faces: the PostgreSQL store's C and Python faces against a throwaway server (started
## and stopped as in pg-test): tests/c/test_postgres.c and the NULL sweep with a real store handle
## (CREDITBOOK_PG_DSN set), both under AddressSanitizer+UBSan, then the Python tests marked
## `postgres` (python/tests/test_postgres.py; python/check.sh test leaves them here) with the
## package built into .venv. Nothing skips: without the server they fail.
.PHONY: pg-faces
PG_ASAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
pg-faces: header-check c-lib
	@mkdir -p $(C_OUT)
	$(CC) $(C_TEST_FLAGS) $(PG_ASAN) tests/c/test_postgres.c tests/c/check.c \
		$(C_LIB)/libcreditbook.a $(C_SYS_LIBS) -o $(C_OUT)/test-postgres-asan
	python3 tests/c/null_sweep.py $(C_OUT)
	$(CC) $(C_TEST_FLAGS) $(PG_ASAN) $(C_OUT)/null_sweep.c $(C_LIB)/libcreditbook.a $(C_SYS_LIBS) \
		-o $(C_OUT)/null-sweep-pg-asan
	CARGO="$(CARGO)" python/check.sh build
	@set -e; eval "$$(tests/pg/cluster.sh start)"; \
		trap 'CREDITBOOK_PG_DIR="$$CREDITBOOK_PG_DIR" tests/pg/cluster.sh stop' EXIT INT TERM; \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 $(C_OUT)/test-postgres-asan; \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 $(C_OUT)/null-sweep-pg-asan; \
		.venv/bin/python -m pytest -m postgres python/tests

## make soak-chain: the chain test of both stores (tests/chain: 4 processes of registers and a
## back office, SIGKILLs, PostgreSQL restarts; docs/stores.md "The chain test") with CHAIN_OPS
## operations per thread (default 400; make test runs 60) in release mode, on a throwaway server,
## a process killed after every 4 to 40 new lines of its log (CHAIN_KILL_AFTER_LINES: paced by
## progress, not by the clock, so a fast release run is killed as often as make test's). Part of
## make soak.
CHAIN_SOAK_OPS ?= 400
CHAIN_SOAK_KILL_AFTER_LINES ?= 40
.PHONY: soak-chain
soak: soak-chain
soak-chain:
	CHAIN_OPS=$(CHAIN_SOAK_OPS) CHAIN_KILL_AFTER_LINES=$(CHAIN_SOAK_KILL_AFTER_LINES) \
		$(CARGO) test --release -p creditbook-sqlite --test chain --locked -- --nocapture
	@set -e; eval "$$(tests/pg/cluster.sh start)"; \
		trap 'CREDITBOOK_PG_DIR="$$CREDITBOOK_PG_DIR" tests/pg/cluster.sh stop' EXIT INT TERM; \
		CHAIN_OPS=$(CHAIN_SOAK_OPS) CHAIN_KILL_AFTER_LINES=$(CHAIN_SOAK_KILL_AFTER_LINES) \
		CHAIN_STORE_FAULTS=10 $(CARGO) test --release \
		-p creditbook-postgres --test chain --locked -- --nocapture --test-threads=1

## make bench-postgres: charges per second through the PostgreSQL store against a bare postgres
## client (1 and 8 registers, 100 accounts and 1 hot account) and a cold read of a 100,000-entry
## account (docs/stores.md), on a throwaway server started and stopped around it
.PHONY: bench-postgres
bench-postgres:
	@set -e; eval "$$(tests/pg/cluster.sh start)"; \
		trap 'CREDITBOOK_PG_DIR="$$CREDITBOOK_PG_DIR" tests/pg/cluster.sh stop' EXIT INT TERM; \
		$(CARGO) bench -p creditbook-postgres --bench postgres --locked

# ---- installing (docs/install.md) ----

## make install PREFIX=/usr/local DESTDIR=: the C library for C and C++ projects (ffi/install.sh):
## libcreditbook.so.X.Y.Z with its SONAME and links, libcreditbook.a, creditbook.h and the C++17
## creditbook.hpp, creditbook.pc and the CMake package (find_package(creditbook CONFIG)).
## LIBDIR, INCLUDEDIR choose the directories; PROFILE=dev installs a debug build.
.PHONY: install install-test
PREFIX ?= /usr/local
PROFILE ?= release
install:
	CARGO="$(CARGO)" PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" PROFILE="$(PROFILE)" \
		$(if $(LIBDIR),LIBDIR="$(LIBDIR)") $(if $(INCLUDEDIR),INCLUDEDIR="$(INCLUDEDIR)") ffi/install.sh

## make install-test: make install into an empty prefix, then a C program with pkg-config and a
## C++ program with CMake built against the installed files only, dynamically and statically
## (tests/install/check-c.sh; installs cmake when missing)
install-test:
	CARGO="$(CARGO)" MAKE="$(MAKE)" PROFILE="$(PROFILE)" tests/install/check-c.sh

## make abi-check: the C ABI (exported symbols, the header's declarations and constants) against
## tests/abi/creditbook.abi, the last release's; a change CHANGELOG.md does not announce (an
## entry marked **ABI** naming it) fails (tests/abi/check.sh)
.PHONY: abi-check
abi-check: c-lib
	tests/abi/check.sh $(C_LIB)/libcreditbook.so

## make python-install-test: the release abi3 wheel (maturin; make python built the same release
## before it) installed from the file into a fresh venv of the lowest and of the newest CPython
## >= 3.11 on the machine with no Rust toolchain on PATH, then imported from outside the tree,
## smoke-tested and both READMEs' Python examples run (tests/install/check-python.sh)
.PHONY: python-install-test rust-install-test wheel deny
python-install-test:
	CARGO="$(CARGO)" tests/install/check-python.sh

## make rust-install-test: rust-version is the lowest the locked dependencies allow, the core
## builds with --no-default-features, `cargo publish --dry-run` of the published crates, and a
## ledger-only project on the packaged crate (tests/install/check-rust.sh)
rust-install-test:
	CARGO="$(CARGO)" tests/install/check-rust.sh

## make wheel: the Python release artifacts in target/wheels: the abi3 wheel for this machine, a
## manylinux2014 one linked with zig (WHEEL_ZIG=0: not), the sdist, each wheel and a wheel built
## from the sdist installed and tested without Rust (python/wheel.sh; not run by make test)
wheel:
	CARGO="$(CARGO)" python/wheel.sh

## make deny: cargo deny check licenses bans sources (deny.toml; run by make lint); installs the
## pinned cargo-deny into .tools when missing. Advisories: no database reachable offline.
CARGO_DENY_VERSION := 0.20.2
CARGO_DENY := .tools/bin/cargo-deny
lint: deny
deny:
	@[ "$$($(CARGO_DENY) --version 2>/dev/null)" = "cargo-deny $(CARGO_DENY_VERSION)" ] || \
		$(CARGO) install cargo-deny --version $(CARGO_DENY_VERSION) --locked --root .tools
	$(CARGO_DENY) --log-level error check licenses bans sources
