#!/usr/bin/env bash
# Installs what the browser tests need when it is missing: Debian's Chromium and ChromeDriver
# (browser-download tools do not work here), axe-core from the npm registry, and Debian's
# headless LibreOffice Calc (tests/test_spreadsheets.py opens the downloads in it).
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi
if ! command -v soffice >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    libreoffice-calc-nogui >/dev/null
fi
if [ ! -f node_modules/axe-core/axe.min.js ] && command -v npm >/dev/null 2>&1; then
  npm install --silent --no-audit --no-fund --prefix . axe-core@4 >/dev/null
fi
