#!/usr/bin/env bash
# make install-test: `make install` into an empty prefix, then a C program built with pkg-config
# (examples/c/till.c, the README's command) and a C++17 program built with CMake
# (tests/install/cmake, find_package(creditbook CONFIG)) against the installed files only, each
# linked dynamically and statically, each run and checked. The sources are copied out of the
# tree first and nothing points the compiler at the source tree: a file missing from the install
# fails the build. Also a DESTDIR-staged install: the files land under DESTDIR, the paths in them
# name PREFIX, and the staged CMake package still works (it finds its files relative to itself).
# PROFILE (default release) chooses the build `make install` uses.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
MAKE="${MAKE:-make}"
PROFILE="${PROFILE:-release}"
for tool in cmake pkg-config g++; do
    command -v "$tool" >/dev/null || tests/apt-install.sh "$tool"
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
fail() { echo "install-test: $*" >&2; exit 1; }

"$MAKE" --no-print-directory install PREFIX="$prefix" PROFILE="$PROFILE"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)"
IFS=. read -r major minor _ <<<"$version"
if [ "$major" = 0 ]; then so="0.$minor"; else so="$major"; fi

# The layout: the real file, the SONAME link, the development link.
lib="$prefix/lib"
[ -f "$lib/libcreditbook.so.$version" ] && [ ! -L "$lib/libcreditbook.so.$version" ] ||
    fail "no libcreditbook.so.$version"
[ "$(readlink "$lib/libcreditbook.so.$so")" = "libcreditbook.so.$version" ] || fail "bad libcreditbook.so.$so link"
[ "$(readlink "$lib/libcreditbook.so")" = "libcreditbook.so.$so" ] || fail "bad libcreditbook.so link"
objdump -p "$lib/libcreditbook.so.$version" | grep -qE "SONAME +libcreditbook\.so\.$so\$" || fail "SONAME is not libcreditbook.so.$so"
for f in lib/libcreditbook.a include/creditbook.h include/creditbook.hpp lib/pkgconfig/creditbook.pc \
    lib/cmake/creditbook/creditbook-config.cmake lib/cmake/creditbook/creditbook-config-version.cmake; do
    [ -f "$prefix/$f" ] || fail "$f is not installed"
done
grep -qF "$ROOT" -r "$prefix/lib/pkgconfig" "$prefix/lib/cmake" && fail "an installed file names the source tree"

# Out of the tree: only the installed files can be found.
mkdir "$work/src"
cp examples/c/till.c tests/install/cmake/CMakeLists.txt tests/install/cmake/till.cpp "$work/src/"
cd "$work/src"
export PKG_CONFIG_PATH="$lib/pkgconfig"
needed() { objdump -p "$1" | sed -n 's/^ *NEEDED *//p'; }

# C, dynamic: the README's command (plus an rpath, as the prefix is not in the loader's path).
cc -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror till.c \
    $(pkg-config --cflags --libs creditbook) -Wl,-rpath,"$lib" -o till-shared
needed till-shared | grep -qx "libcreditbook.so.$so" || fail "till-shared does not need libcreditbook.so.$so"
ldd ./till-shared | grep -qF "$lib/libcreditbook.so.$so" || fail "till-shared does not load the installed library"
"$ROOT/tests/c/check_till.sh" ./till-shared

# C, static: the archive and the system libraries the .pc names.
cc -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror till.c $(pkg-config --cflags creditbook) \
    "$(pkg-config --variable=libdir creditbook)/libcreditbook.a" \
    $(pkg-config --variable=native_static_libs creditbook) -o till-static
needed till-static | grep -q creditbook && fail "till-static needs a shared libcreditbook"
"$ROOT/tests/c/check_till.sh" ./till-static

# C++ with CMake, shared then static, each run twice over one file.
check_cpp() {
    local exe="$1" db="$work/cpp-$2.sqlite3" out
    out="$("$exe" "$db")"
    grep -qx "opened C-7" <<<"$out" || fail "$exe: first run: $out"
    grep -qx "balance owed: 7500" <<<"$out" || fail "$exe: first balance: $out"
    grep -q "^refused: CREDIT_LIMIT_EXCEEDED: " <<<"$out" || fail "$exe: no refusal: $out"
    grep -qx "statement in French: yes" <<<"$out" || fail "$exe: statement: $out"
    grep -qx "library $version" <<<"$out" || fail "$exe: version: $out"
    out="$("$exe" "$db")"
    grep -q "opened" <<<"$out" && fail "$exe: the second run opened the account again"
    grep -qx "balance owed: 15000" <<<"$out" || fail "$exe: second balance: $out"
    echo "install-test: $exe ($2): two runs, the second continues the first"
}
cmake -S . -B build-shared -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build build-shared >/dev/null
needed build-shared/till_cpp | grep -qx "libcreditbook.so.$so" || fail "CMake shared build does not need libcreditbook.so.$so"
check_cpp build-shared/till_cpp cmake-shared
cmake -S . -B build-static -DCMAKE_PREFIX_PATH="$prefix" -DCREDITBOOK_STATIC=ON >/dev/null
cmake --build build-static >/dev/null
needed build-static/till_cpp | grep -q creditbook && fail "CMake static build needs a shared libcreditbook"
check_cpp build-static/till_cpp cmake-static

# A staged install (DESTDIR), as a distribution package is made.
cd "$ROOT"
"$MAKE" --no-print-directory install PREFIX=/opt/creditbook DESTDIR="$work/stage" PROFILE="$PROFILE" >/dev/null
[ -f "$work/stage/opt/creditbook/lib/libcreditbook.so.$version" ] || fail "DESTDIR install misplaced"
grep -qx "prefix=/opt/creditbook" "$work/stage/opt/creditbook/lib/pkgconfig/creditbook.pc" ||
    fail "the staged creditbook.pc does not name the prefix /opt/creditbook"
grep -qF "$work/stage" -r "$work/stage/opt/creditbook/lib/pkgconfig" "$work/stage/opt/creditbook/lib/cmake" &&
    fail "a staged file names DESTDIR"
cd "$work/src"
cmake -S . -B build-staged -DCMAKE_PREFIX_PATH="$work/stage/opt/creditbook" -DCREDITBOOK_STATIC=ON >/dev/null
cmake --build build-staged >/dev/null
check_cpp build-staged/till_cpp cmake-staged
echo "install-test: make install into an empty prefix; C with pkg-config and C++ with CMake, shared and static, against the installed files only"
