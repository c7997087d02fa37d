#!/usr/bin/env bash
# Installs the system packages the test suite drives: Debian's chromium (browser tests),
# PostgreSQL (server-mode tests), npm (to vendor the in-browser pose model and three.js),
# poppler-utils (the PDF tests render every page with pdftoppm and read it with pdftotext) and
# opencv-doc (its sample video of pedestrians: the real backs and fronts the camera finder is
# tested on). Does nothing when they are already present. `system-deps.sh fonts` installs only
# the fonts the PDFs embed for Hindi (Lohit Devanagari) and Chinese (WenQuanYi Micro Hei,
# TrueType outlines), which the full run installs too.
set -euo pipefail
missing=()
[ -f /usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf ] || missing+=(fonts-lohit-deva)
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
if [ "${1:-}" != fonts ]; then
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
[ -f /usr/share/doc/opencv-doc/examples/data/vtest.avi ] || missing+=(opencv-doc)
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
