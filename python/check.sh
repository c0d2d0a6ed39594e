#!/usr/bin/env bash
# make python / make bench: builds the Python package `creditbook` into the project venv .venv
# (created when missing) and runs its checks: pytest (python/tests, warnings are errors), the
# stub check (mypy's stubtest, no allowlist needed), and the examples (the back office on the
# SQLite store, a host-written store over sqlite3). With `bench`,
# runs the Python benchmarks instead of the tests; with `build`, only builds the package (make
# pg-faces, which runs the tests marked `postgres` against its throwaway server: `test` leaves
# them out, as they need that server).
set -euo pipefail
cd "$(dirname "$0")/.."

MODE="${1:-test}"
VENV=.venv
PY="$VENV/bin/python"
# Pinned so a fresh machine builds and checks exactly what was checked here.
TOOLS=("maturin==1.16.0" "pytest==9.2.0" "hypothesis==6.170.17" "mypy==2.4.1")

# `make ubl` (run before this in `make test`) installs python3 and python3-venv when missing.
if [ ! -x "$PY" ] || ! "$PY" -m pip --version >/dev/null 2>&1; then
    python3 -m venv --clear "$VENV"
fi
"$PY" -m pip install --quiet --disable-pip-version-check "${TOOLS[@]}"

# A stale extension module beside the sources would shadow the installed one.
rm -f python/creditbook/*.so python/creditbook/*.pyd
# What `pip install ./python` does on a user's machine, with the pinned maturin of the venv
# (no build isolation: no download of a floating maturin at every build).
# The `test-hooks` feature adds the tests' `_force_panic` and `_raise_sample` (never in a wheel).
MATURIN_PEP517_ARGS="--features test-hooks" PATH="$PWD/$VENV/bin:$PATH" "$PY" -m pip install --quiet --disable-pip-version-check \
    --no-build-isolation --force-reinstall --no-deps ./python

# Run from the repository root: python/ on sys.path would import the sources without the
# native module.
case "$MODE" in
test)
    "$PY" -m pytest -m "not postgres" python/tests
    "$PY" -m mypy.stubtest creditbook._creditbook
    "$PY" -m mypy --strict python/tests examples/python
    "$PY" examples/python/back_office.py
    "$PY" examples/python/host_store.py
    ;;
bench)
    "$PY" python/bench/bench_book.py
    ;;
build) ;;
*)
    echo "usage: $0 [test|bench|build]" >&2
    exit 2
    ;;
esac
