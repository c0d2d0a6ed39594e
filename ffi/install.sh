#!/usr/bin/env bash
# make install: builds libcreditbook (release; PROFILE=dev for a debug build) and installs the C
# library the way C and C++ projects look for it (docs/install.md):
#   $LIBDIR/libcreditbook.so.X.Y.Z, its SONAME link libcreditbook.so.0.Y (build.rs of ffi/ sets
#   the SONAME) and the development link libcreditbook.so, libcreditbook.a,
#   $INCLUDEDIR/creditbook.h and creditbook.hpp (C++17, header-only),
#   $LIBDIR/pkgconfig/creditbook.pc (native static libraries as the compiler reports them),
#   $LIBDIR/cmake/creditbook/ (find_package(creditbook CONFIG) -> creditbook::creditbook).
# Variables: PREFIX (default /usr/local; absolute), DESTDIR (staging root, default none),
# LIBDIR (default $PREFIX/lib), INCLUDEDIR (default $PREFIX/include), PROFILE, CARGO.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO="${CARGO:-cargo}"
PREFIX="${PREFIX:-/usr/local}"
DESTDIR="${DESTDIR:-}"
LIBDIR="${LIBDIR:-$PREFIX/lib}"
INCLUDEDIR="${INCLUDEDIR:-$PREFIX/include}"
PROFILE="${PROFILE:-release}"
for dir in "$PREFIX" "$LIBDIR" "$INCLUDEDIR"; do
    case "$dir" in /*) ;; *) echo "install: $dir is not an absolute path" >&2; exit 2 ;; esac
done

VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)"
IFS=. read -r MAJOR MINOR _PATCH <<<"$VERSION"
# The rule of ffi/build.rs: 0.<minor> before 1.0 (a 0.x minor may change the ABI), <major> after.
if [ "$MAJOR" = 0 ]; then SOVERSION="0.$MINOR"; else SOVERSION="$MAJOR"; fi

# One rustc run builds both libraries and prints what the static one needs from the system
# (cargo replays the note when the library is already built).
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
if ! "$CARGO" rustc -p creditbook-ffi --profile "$PROFILE" --locked -- --print native-static-libs \
    >"$LOG" 2>&1; then
    cat "$LOG" >&2
    exit 1
fi
NATIVE="$(sed -n 's/^note: native-static-libs: //p' "$LOG" | tail -n 1)"
[ -n "$NATIVE" ] || { cat "$LOG" >&2; echo "install: rustc printed no native-static-libs" >&2; exit 1; }
TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
case "$PROFILE" in dev | test) OUT="$TARGET_DIR/debug" ;; *) OUT="$TARGET_DIR/$PROFILE" ;; esac

SONAME="$(objdump -p "$OUT/libcreditbook.so" | sed -n 's/^ *SONAME *//p')"
[ "$SONAME" = "libcreditbook.so.$SOVERSION" ] ||
    { echo "install: $OUT/libcreditbook.so has SONAME '$SONAME', not libcreditbook.so.$SOVERSION" >&2; exit 1; }

D="$DESTDIR"
install -d "$D$LIBDIR/pkgconfig" "$D$LIBDIR/cmake/creditbook" "$D$INCLUDEDIR"
install -m 755 "$OUT/libcreditbook.so" "$D$LIBDIR/libcreditbook.so.$VERSION"
ln -sfn "libcreditbook.so.$VERSION" "$D$LIBDIR/libcreditbook.so.$SOVERSION"
ln -sfn "libcreditbook.so.$SOVERSION" "$D$LIBDIR/libcreditbook.so"
install -m 644 "$OUT/libcreditbook.a" "$D$LIBDIR/libcreditbook.a"
install -m 644 include/creditbook.h include/creditbook.hpp "$D$INCLUDEDIR/"

# pkg-config: paths under the prefix are written relative to ${prefix}, so a relocated tree only
# needs `prefix` changed (pkg-config --define-prefix).
rel() { case "$1" in "$PREFIX"/*) echo "\${prefix}/${1#"$PREFIX"/}" ;; *) echo "$1" ;; esac; }
sed -e "s|@PREFIX@|$PREFIX|" -e "s|@LIBDIR@|$(rel "$LIBDIR")|" \
    -e "s|@INCLUDEDIR@|$(rel "$INCLUDEDIR")|" -e "s|@VERSION@|$VERSION|" \
    -e "s|@NATIVE_STATIC_LIBS@|$NATIVE|" ffi/creditbook-install.pc.in >"$D$LIBDIR/pkgconfig/creditbook.pc"

# CMake: the package finds the files relative to itself (a DESTDIR-staged or moved tree works).
CMAKEDIR="$LIBDIR/cmake/creditbook"
NATIVE_LIST="$(echo "$NATIVE" | tr -s ' ' ';')"
sed -e "s|@VERSION@|$VERSION|" -e "s|@SOVERSION@|$SOVERSION|" \
    -e "s|@LIBDIR_REL@|$(realpath -m --relative-to="$CMAKEDIR" "$LIBDIR")|" \
    -e "s|@INCLUDEDIR_REL@|$(realpath -m --relative-to="$CMAKEDIR" "$INCLUDEDIR")|" \
    -e "s|@NATIVE_STATIC_LIBS@|$NATIVE_LIST|" \
    ffi/cmake/creditbook-config.cmake.in >"$D$CMAKEDIR/creditbook-config.cmake"
sed -e "s|@VERSION@|$VERSION|" ffi/cmake/creditbook-config-version.cmake.in \
    >"$D$CMAKEDIR/creditbook-config-version.cmake"
echo "installed creditbook $VERSION (SONAME libcreditbook.so.$SOVERSION) into $D$PREFIX"
