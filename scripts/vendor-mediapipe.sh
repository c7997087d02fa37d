#!/usr/bin/env bash
# Vendor @mediapipe/pose (wasm, graph, lite model) into the app's static files, so the camera
# page runs the pose model from this app's own origin (the CSP allows only 'self'; no CDN).
# Idempotent: does nothing when the pinned version is already there. Needs npm (registry only).
set -euo pipefail

VERSION="0.5.1675469404"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/src/backpoints/web/static/vendor/mediapipe-pose"
# What pose.js loads with the lite model (modelComplexity 0); the full and heavy models
# (6 and 28 MB) are left out: camera.js never asks for them. package.json carries the
# licence (Apache-2.0).
FILES=(
  pose.js
  pose_web.binarypb
  pose_solution_packed_assets_loader.js
  pose_solution_packed_assets.data
  pose_solution_simd_wasm_bin.js
  pose_solution_simd_wasm_bin.wasm
  pose_solution_wasm_bin.js
  pose_solution_wasm_bin.wasm
  pose_landmark_lite.tflite
  package.json
)

if [[ -f "$DEST/VERSION" && "$(cat "$DEST/VERSION")" == "$VERSION" ]]; then
  exit 0
fi
command -v npm >/dev/null || { echo "vendor-mediapipe: npm is needed (apt-get install npm)" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack --silent "@mediapipe/pose@$VERSION" >/dev/null)
tar -xzf "$WORK"/mediapipe-pose-"$VERSION".tgz -C "$WORK"

rm -rf "$DEST.tmp"
mkdir -p "$DEST.tmp"
for name in "${FILES[@]}"; do
  cp "$WORK/package/$name" "$DEST.tmp/$name"
done
chmod 644 "$DEST.tmp"/*
echo "$VERSION" > "$DEST.tmp/VERSION"
rm -rf "$DEST"
mv "$DEST.tmp" "$DEST"
echo "vendored @mediapipe/pose $VERSION into ${DEST#"$ROOT"/} ($(du -sh "$DEST" | cut -f1))"
