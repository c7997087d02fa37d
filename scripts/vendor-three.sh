#!/usr/bin/env bash
# Vendor three.js (MIT, from the npm registry) into the app's static files for the 3-D back:
# the core module and the two add-ons the view uses (OrbitControls, GLTFLoader with its
# BufferGeometryUtils). Their bare `from 'three'` imports are pointed at the vendored file, so
# no import map (an inline script the CSP forbids) is needed. Idempotent; needs npm.
set -euo pipefail

VERSION="0.170.0"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/src/backpoints/web/static/vendor/three"

if [[ -f "$DEST/VERSION" && "$(cat "$DEST/VERSION")" == "$VERSION" ]]; then
  exit 0
fi
command -v npm >/dev/null || { echo "vendor-three: npm is needed (apt-get install npm)" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack --silent "three@$VERSION" >/dev/null)
tar -xzf "$WORK"/three-"$VERSION".tgz -C "$WORK"
P="$WORK/package"

rm -rf "$DEST.tmp"
mkdir -p "$DEST.tmp"
cp "$P/build/three.module.min.js" "$DEST.tmp/three.module.min.js"
cp "$P/build/three.core.min.js" "$DEST.tmp/three.core.min.js" 2>/dev/null || true
cp "$P/examples/jsm/controls/OrbitControls.js" "$DEST.tmp/OrbitControls.js"
cp "$P/examples/jsm/loaders/GLTFLoader.js" "$DEST.tmp/GLTFLoader.js"
cp "$P/examples/jsm/utils/BufferGeometryUtils.js" "$DEST.tmp/BufferGeometryUtils.js"
cp "$P/LICENSE" "$DEST.tmp/LICENSE"
sed -i "s#from 'three'#from './three.module.min.js'#; s#from '../utils/BufferGeometryUtils.js'#from './BufferGeometryUtils.js'#" \
  "$DEST.tmp"/OrbitControls.js "$DEST.tmp"/GLTFLoader.js "$DEST.tmp"/BufferGeometryUtils.js
chmod 644 "$DEST.tmp"/*
echo "$VERSION" > "$DEST.tmp/VERSION"
rm -rf "$DEST"
mv "$DEST.tmp" "$DEST"
echo "vendored three $VERSION into ${DEST#"$ROOT"/} ($(du -sh "$DEST" | cut -f1))"
