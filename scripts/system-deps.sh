#!/usr/bin/env bash
# Installs the system packages the test suite drives: Debian's chromium (browser tests),
# PostgreSQL (server-mode tests) and npm (to vendor the in-browser pose model). Does
# nothing when they are already present. `system-deps.sh fonts` installs only the fonts the PDFs
# embed for Hindi (Lohit Devanagari) and Chinese (WenQuanYi Micro Hei, TrueType outlines).
set -euo pipefail
missing=()
[ -f /usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf ] || missing+=(fonts-lohit-deva)
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
if [ "${1:-}" != fonts ]; then
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v npm >/dev/null 2>&1 || missing+=(npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
