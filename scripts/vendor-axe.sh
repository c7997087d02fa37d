#!/usr/bin/env bash
# Vendor axe-core (the accessibility checker the browser tests run on every page) into
# tests/vendor/, from the npm registry. Idempotent: does nothing when the pinned version is
# there. Not served by the app; the tests inject it into the page. Licence: MPL-2.0 (kept).
set -euo pipefail

VERSION="4.10.3"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/tests/vendor/axe-core"

if [[ -f "$DEST/VERSION" && "$(cat "$DEST/VERSION")" == "$VERSION" ]]; then
  exit 0
fi
command -v npm >/dev/null || { echo "vendor-axe: npm is needed (apt-get install npm)" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack --silent "axe-core@$VERSION" >/dev/null)
tar -xzf "$WORK"/axe-core-"$VERSION".tgz -C "$WORK"

rm -rf "$DEST.tmp"
mkdir -p "$DEST.tmp"
cp "$WORK/package/axe.min.js" "$WORK/package/LICENSE" "$WORK/package/package.json" "$DEST.tmp/"
chmod 644 "$DEST.tmp"/*
echo "$VERSION" > "$DEST.tmp/VERSION"
rm -rf "$DEST"
mv "$DEST.tmp" "$DEST"
echo "vendored axe-core $VERSION into ${DEST#"$ROOT"/}"
