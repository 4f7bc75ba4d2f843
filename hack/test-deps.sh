#!/usr/bin/env bash
# Checks, and installs when it can, the programs `make test` needs besides
# Go: a Chromium for the report's browser test (test/browser) and Prometheus
# with promtool for Steadiness's test against a real Prometheus. As root (or
# with password-less sudo) on a Debian-like system it apt-get installs the
# missing ones; otherwise it fails and prints the command that installs them.
# `make test` then runs the tests with SPILLWAY_REQUIRE_TEST_TOOLS=1, so
# that none of them skips.
set -euo pipefail

missing=()
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null && ! command -v google-chrome >/dev/null; then
  missing+=(chromium)
fi
if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
  missing+=(prometheus)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

install="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo="sudo"
  else
    sudo="unavailable"
  fi
fi
if [ "$sudo" = unavailable ] || ! command -v apt-get >/dev/null; then
  echo "make test needs ${missing[*]} (the browser and real-Prometheus tests); install them, e.g.:" >&2
  echo "  sudo sh -c '$install'" >&2
  exit 1
fi
echo "make test: installing ${missing[*]} ($install)" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's prometheus package may start its own service; the test starts
# its own process on a loopback port and does not use it.
