#!/usr/bin/env bash
# tests/apt-install.sh PACKAGE...: installs Debian packages on a fresh machine (as root, or with
# sudo), refreshing the package lists only when the first try fails.
set -euo pipefail
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y --no-install-recommends "$@" ||
    { $sudo apt-get update && $sudo apt-get install -y --no-install-recommends "$@"; }
