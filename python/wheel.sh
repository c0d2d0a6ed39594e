#!/usr/bin/env bash
# make wheel: the Python release artifacts in target/wheels (docs/install.md, "Python"):
# - the abi3 wheel for this machine (CPython >= 3.11), tagged with the manylinux policy maturin's
#   auditwheel check finds for the build (manylinux_2_34 on Debian 12's glibc 2.36);
# - with WHEEL_ZIG=1 (default), a manylinux2014 wheel (glibc 2.17: installs on nearly every Linux)
#   linked with zig from PyPI (ziglang, pinned), which needs no old system;
# - the sdist, then a wheel built from the sdist alone (needs Rust), installed into a fresh venv
#   without Rust on PATH and smoke-tested like the others (tests/install/check-python.sh).
# musllinux wheels need the x86_64-unknown-linux-musl standard library (rustup target add), not
# reachable from here: not built.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=target/wheels
ZIGLANG="ziglang==0.17.0"
MATURIN_PIN="$(grep -o '"maturin==[0-9.]*"' python/check.sh | tr -d '"')"
VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check "$MATURIN_PIN"
MATURIN=.venv/bin/maturin
rm -rf "$OUT" && mkdir -p "$OUT"
rm -f python/creditbook/*.so

"$MATURIN" build --quiet --release --locked -m python/Cargo.toml --out "$OUT"
native="$(ls "$OUT"/creditbook-"$VERSION"-cp311-abi3-*.whl)"
echo "wheel: $native"
WHEEL="$PWD/$native" tests/install/check-python.sh

if [ "${WHEEL_ZIG:-1}" = 1 ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "$ZIGLANG"
    PATH="$PWD/.venv/bin:$PATH" "$MATURIN" build --quiet --release --locked -m python/Cargo.toml \
        --zig --compatibility manylinux2014 --out "$OUT/manylinux2014"
    zig_wheel="$(ls "$OUT"/manylinux2014/creditbook-"$VERSION"-cp311-abi3-*.whl)"
    case "$zig_wheel" in
    *manylinux2014_x86_64*) ;;
    *) echo "wheel: $zig_wheel is not a manylinux2014 wheel" >&2; exit 1 ;;
    esac
    echo "wheel: $zig_wheel"
    WHEEL="$PWD/$zig_wheel" tests/install/check-python.sh
fi

"$MATURIN" sdist -m python/Cargo.toml --out "$OUT"
sdist="$(ls "$OUT"/creditbook-"$VERSION".tar.gz)"
echo "sdist: $sdist"
# The sdist alone: unpacked outside the tree, built by pip with the pinned maturin (no isolation:
# no floating maturin from the index), then the wheel it made goes through the install test.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar -xzf "$sdist" -C "$work"
PATH="$PWD/.venv/bin:$PATH" .venv/bin/python -m pip wheel --quiet --disable-pip-version-check \
    --no-deps --no-build-isolation --wheel-dir "$work/from-sdist" "$work/creditbook-$VERSION"
# (maturin leaves a copy of that local, linux_x86_64-tagged wheel in target/wheels: not a release
# artifact.)
rm -f "$OUT"/creditbook-"$VERSION"-cp311-abi3-linux_*.whl
WHEEL="$(ls "$work"/from-sdist/creditbook-"$VERSION"-cp311-abi3-*.whl)" tests/install/check-python.sh
echo "wheel: the sdist builds a working wheel"
ls -l "$OUT" "$OUT"/manylinux2014 2>/dev/null || true
