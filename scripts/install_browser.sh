#!/usr/bin/env bash
# Debian's chromium for the browser tests (never a downloaded browser). Installed where we
# can (root with apt-get); elsewhere the browser tests skip — except in CI, where they must run.
set -uo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing chromium and chromium-driver (Debian packages)"
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq chromium chromium-driver >/dev/null; then
    exit 0
  fi
fi
if [[ ${CI:-} == true ]]; then
  echo "chromium is required in CI and could not be installed" >&2
  exit 1
fi
echo "chromium is not installed: the browser tests will be skipped (apt-get install chromium)"
