#!/usr/bin/env bash
# Fails when dist/ is not what `npm run build` produces from the current sources. It compares a
# fresh build with a copy of dist/ taken first (not with git), so it also works before a commit.
# The fresh build is left in place: after a mismatch, dist/ is the version to commit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -d dist ]; then
  echo "error: there is no dist/ to check; run 'npm run build' and commit dist/" >&2
  exit 1
fi

before=$(mktemp -d)
trap 'rm -rf "$before"' EXIT
cp -a dist/. "$before/"

# Build from nothing so files the build no longer produces show up as differences too.
rm -rf dist
if ! npm run build; then
  rm -rf dist
  cp -a "$before" dist
  echo "error: 'npm run build' failed; dist/ was restored as it was" >&2
  exit 1
fi

if ! diff -r --brief "$before" dist; then
  echo "error: dist/ differs from a fresh 'npm run build' (listed above); commit the rebuilt dist/" >&2
  exit 1
fi
echo "dist/ is up to date"
