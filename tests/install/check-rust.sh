#!/usr/bin/env bash
# make rust-install-test: the Rust crates as crates.io would get them.
# - the declared rust-version is the lowest the locked dependencies allow (tests/rust/rust-version.py);
# - the core's ledger, rules and figures build with no feature (cargo check --no-default-features);
# - `cargo publish --dry-run` of creditbook, creditbook-sqlite and creditbook-postgres (packaged
#   together: the stores depend on the core's package, not on its directory), each verified by
#   building the packaged sources alone;
# - a new project outside the workspace (tests/install/rust/main.rs) depends on the packaged
#   creditbook with `default-features = false`, as a till that needs only the ledger would, and
#   builds and runs without quick-xml or mail-builder in its tree.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
CARGO="${CARGO:-cargo}"
VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)"
fail() { echo "rust-install-test: $*" >&2; exit 1; }

python3 tests/rust/rust-version.py "$CARGO"
"$CARGO" check -p creditbook --no-default-features --locked --quiet
echo "rust-install-test: creditbook builds with --no-default-features"

# --allow-dirty: a working tree with uncommitted changes is packaged as it is (CI's is clean).
# `cargo package` writes the .crate files (publish --dry-run does not refresh them) and verifies
# each by building it alone; `publish --dry-run` then runs what only publishing checks.
crate="${CARGO_TARGET_DIR:-$ROOT/target}/package/creditbook-$VERSION.crate"
rm -f "$crate"
crates=(-p creditbook -p creditbook-sqlite -p creditbook-postgres)
"$CARGO" package --allow-dirty --locked "${crates[@]}" 2>&1 |
    grep -v '^warning: ignoring \(test\|example\|benchmark\) ' >&2
"$CARGO" publish --dry-run --no-verify --allow-dirty --locked "${crates[@]}" 2>&1 |
    grep -v '^warning: ignoring \(test\|example\|benchmark\) ' >&2
[ -f "$crate" ] || fail "no $crate"
listing="$(tar -tzf "$crate")"
for f in Cargo.toml README.md LICENSE-MIT LICENSE-APACHE src/lib.rs; do
    grep -qx "creditbook-$VERSION/$f" <<<"$listing" || fail "$f is not in the package"
done
grep -q "^creditbook-$VERSION/\(tests\|benches\|examples\)/" <<<"$listing" && fail "the package carries tests"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar -xzf "$crate" -C "$work"
mkdir -p "$work/till/src"
cp tests/install/rust/main.rs "$work/till/src/main.rs"
cp Cargo.lock "$work/till/Cargo.lock"  # the versions this workspace tested, not the newest
cat >"$work/till/Cargo.toml" <<TOML
[package]
name = "ledger-till"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
creditbook = { path = "../creditbook-$VERSION", default-features = false }
chrono = { version = "0.4.45", default-features = false, features = ["std"] }

[workspace]
TOML
cd "$work/till"
tree="$("$CARGO" tree --quiet -e normal)"
grep -qE '^creditbook v' <<<"$tree" || grep -q 'creditbook v' <<<"$tree" || fail "creditbook is not in the tree"
grep -qE 'mail-builder|quick-xml' <<<"$tree" && fail "the ledger-only build pulls mail-builder or quick-xml"
out="$("$CARGO" run --quiet)"
grep -qx "refused over the limit" <<<"$out" || fail "no refusal: $out"
grep -qx "balance owed 200.00" <<<"$out" || fail "wrong balance: $out"
echo "rust-install-test: the packaged creditbook, without its default features, runs a ledger-only till"
