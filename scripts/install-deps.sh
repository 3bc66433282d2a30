#!/bin/sh
# Installs the Debian 12 packages mobileid needs to build and test, when missing.
# Idempotent; uses sudo when not run as root.
set -eu
PKGS="build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev clang-format
      libpng-dev libjpeg-dev libtiff-dev libopenjp2-7-dev zlib1g-dev libcmocka-dev
      libmicrohttpd-dev libgnutls28-dev libargon2-dev libcurl4-gnutls-dev
      libsqlite3-dev libpq-dev postgresql libfprint-2-dev libglib2.0-dev
      python3 util-linux"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -z "$missing" ]; then
    echo "deps: all packages present"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
