#!/usr/bin/env bash
# make python-install-test WHEEL=...: the wheel installed from the file alone (pip --no-index)
# into a fresh venv of the lowest and of the newest CPython >= 3.11 found on the machine, with no
# Rust toolchain on PATH (~/.cargo/bin, rustup and CARGO_* removed), then tests/install/smoke.py
# run from outside the repository: the installed module, a few operations, both READMEs' Python
# examples. Without WHEEL, builds the release wheel first (maturin, pinned in python/check.sh;
# reuses the release build `make python` made).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

wheel="${WHEEL:-}"
if [ -z "$wheel" ]; then
    MATURIN_PIN="$(grep -o '"maturin==[0-9.]*"' python/check.sh | tr -d '"')"
    [ -x .venv/bin/python ] || python3 -m venv .venv
    [ "$(.venv/bin/maturin --version 2>/dev/null)" = "maturin ${MATURIN_PIN#maturin==}" ] ||
        .venv/bin/python -m pip install --quiet --disable-pip-version-check "$MATURIN_PIN"
    rm -f python/creditbook/*.so
    .venv/bin/maturin build --quiet --release --locked -m python/Cargo.toml --out "$work/dist"
    wheel="$(ls "$work"/dist/creditbook-"$VERSION"-*.whl)"
fi
case "$(basename "$wheel")" in
creditbook-"$VERSION"-cp311-abi3-*.whl) ;;
*) echo "python-install-test: $wheel is not a cp311-abi3 wheel of $VERSION" >&2; exit 1 ;;
esac

# The interpreters: python3.11 to python3.15 on PATH or under pyenv, the ones that run.
found=()
for minor in 11 12 13 14 15; do
    for cand in "$(command -v "python3.$minor" || true)" \
        ${PYENV_ROOT:-$HOME/.pyenv}/versions/3."$minor".*/bin/python3."$minor"; do
        if [ -n "$cand" ] && [ -x "$cand" ] && "$cand" -c 'import venv' 2>/dev/null; then
            found+=("$cand")
            break
        fi
    done
done
[ ${#found[@]} -gt 0 ] || { echo "python-install-test: no CPython >= 3.11 found" >&2; exit 1; }
pythons=("${found[0]}")
[ ${#found[@]} -gt 1 ] && pythons+=("${found[-1]}")

# PATH without Rust: every entry holding cargo or rustc is dropped.
clean_path=""
IFS=: read -ra entries <<<"$PATH"
for dir in "${entries[@]}"; do
    [ -x "$dir/cargo" ] || [ -x "$dir/rustc" ] || [ -x "$dir/rustup" ] && continue
    clean_path="${clean_path:+$clean_path:}$dir"
done

cp README.md "$work/README.md"
cp python/README.md "$work/python-README.md"
cp tests/install/smoke.py "$work/smoke.py"
for py in "${pythons[@]}"; do
    venv="$work/venv-$(basename "$py")"
    "$py" -m venv "$venv"
    (
        cd "$work"
        unset CARGO CARGO_HOME CARGO_TARGET_DIR CARGO_BUILD_JOBS RUSTUP_HOME RUSTUP_TOOLCHAIN PYTHONPATH
        export PATH="$venv/bin:$clean_path"
        python -m pip install --quiet --disable-pip-version-check --no-index --no-deps "$wheel"
        python smoke.py "$VERSION" README.md python-README.md
    )
done
echo "python-install-test: $(basename "$wheel") installed without Rust and run on ${#pythons[@]} interpreter(s): ${pythons[*]}"
