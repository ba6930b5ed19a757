#!/usr/bin/env bash
# Makes this machine ready for the e2e tests, idempotently: installs the Debian packages they use
# (dockerd, the CNCF distribution registry, a static busybox, skopeo, htpasswd, zstd, openssl)
# when any is missing, and starts dockerd when no daemon answers. Run as root on Debian/Ubuntu.
set -euo pipefail

PACKAGES=(docker.io docker-registry busybox-static skopeo apache2-utils zstd openssl)
DOCKERD_LOG=${DOCKERD_LOG:-/tmp/verify-image-dockerd.log}
DOCKERD_WAIT_SECONDS=${DOCKERD_WAIT_SECONDS:-60}

log() { echo "ensure-services: $*" >&2; }
die() { log "error: $*"; exit 1; }

busybox_is_static() {
  # A static busybox runs in a FROM scratch image; the dynamic one from package busybox does not.
  # (ldd exits non-zero for a static binary, so its output is checked, not its status.)
  local ldd_output
  [ -x /bin/busybox ] || return 1
  ldd_output=$(LC_ALL=C ldd /bin/busybox 2>&1 || true)
  [[ "$ldd_output" == *"not a dynamic executable"* ]]
}

missing=()
for cmd in docker dockerd docker-registry skopeo htpasswd zstd openssl; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
busybox_is_static || missing+=("static /bin/busybox")

if [ "${#missing[@]}" -gt 0 ]; then
  log "missing: ${missing[*]}; installing ${PACKAGES[*]}"
  [ "$(id -u)" -eq 0 ] || die "installing packages needs root: run 'sudo bash $0'"
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install ${PACKAGES[*]} by hand"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y "${PACKAGES[@]}"
  hash -r
  for cmd in docker dockerd docker-registry skopeo htpasswd zstd openssl; do
    command -v "$cmd" >/dev/null 2>&1 || die "$cmd is still missing after installing ${PACKAGES[*]}"
  done
  busybox_is_static || die "/bin/busybox is still not the static build after installing busybox-static"
fi

docker-registry --version >/dev/null 2>&1 || die "'docker-registry --version' fails: $(docker-registry --version 2>&1 | tail -n 5)"

daemon_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if daemon_answers; then
  log "dockerd $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})') is running"
  exit 0
fi

if [ -n "${DOCKER_HOST:-}" ] && [ "${DOCKER_HOST}" != "unix:///var/run/docker.sock" ]; then
  die "DOCKER_HOST=${DOCKER_HOST} does not answer; this script only starts a local dockerd on unix:///var/run/docker.sock"
fi

if pgrep -x dockerd >/dev/null 2>&1; then
  log "dockerd is running but not answering yet; waiting"
else
  [ "$(id -u)" -eq 0 ] || die "starting dockerd needs root: run 'sudo bash $0'"
  log "starting dockerd (log: ${DOCKERD_LOG})"
  nohup dockerd --host unix:///var/run/docker.sock >>"${DOCKERD_LOG}" 2>&1 </dev/null &
  dockerd_pid=$!
fi

for ((i = 0; i < DOCKERD_WAIT_SECONDS; i++)); do
  if daemon_answers; then
    log "dockerd $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})') is running"
    exit 0
  fi
  if [ -n "${dockerd_pid:-}" ] && ! kill -0 "${dockerd_pid}" 2>/dev/null; then
    log "dockerd exited; last lines of ${DOCKERD_LOG}:"
    tail -n 40 "${DOCKERD_LOG}" >&2 || true
    exit 1
  fi
  sleep 1
done

log "dockerd did not answer within ${DOCKERD_WAIT_SECONDS} s; last lines of ${DOCKERD_LOG}:"
tail -n 40 "${DOCKERD_LOG}" >&2 || true
exit 1
