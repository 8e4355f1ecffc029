#!/usr/bin/env bash
# The card tests render cards in headless Chromium. Install Debian's package when it is
# missing and we may (root with apt-get); otherwise say what to install.
set -euo pipefail
for name in chromium chromium-browser google-chrome; do
  command -v "$name" >/dev/null 2>&1 && exit 0
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium (Debian package) for the card rendering tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "Chromium is needed by the card tests: install it (e.g. 'sudo apt-get install chromium')." >&2
exit 1
