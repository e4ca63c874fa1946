#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the browser tests (playwright-core drives it;
# no browser download from Playwright's CDN), with a small Chinese font so the pages and
# their screenshots show characters, not boxes. Idempotent: does nothing when both are there.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
# WenQuanYi Micro Hei: 5 MB, against 90 MB for Noto CJK.
CJK_FONT_PACKAGE=fonts-wqy-microhei
has_cjk_font() { [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || fc-list :lang=zh 2>/dev/null | grep -q .; }
if [ -x "$CHROMIUM" ] && has_cjk_font; then
  exit 0
fi
PACKAGES=""
[ -x "$CHROMIUM" ] || PACKAGES="chromium"
has_cjk_font || PACKAGES="$PACKAGES $CJK_FONT_PACKAGE"

echo "ensure-chromium: installing Debian packages:$PACKAGES ..." >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "ensure-chromium: not root and no sudo; install it yourself: apt-get install -y chromium $CJK_FONT_PACKAGE" >&2
    exit 1
  fi
fi
# shellcheck disable=SC2086 # word splitting of the package list is wanted
if ! { $SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $PACKAGES; }; then
  echo "ensure-chromium: installing$PACKAGES failed; the browser tests (test/browser) need $CHROMIUM." >&2
  echo "ensure-chromium: on Debian/Ubuntu run: apt-get update && apt-get install -y chromium $CJK_FONT_PACKAGE" >&2
  exit 1
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: the chromium package installed but $CHROMIUM is missing" >&2
  exit 1
fi
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo chromium) ready" >&2
