#!/usr/bin/env bash
# Makes this machine ready for the e2e tests, idempotently and fast on a second run. Run as root on
# Debian 12 (what CI runs on). It provides, installing only what is missing:
#
#   - Debian 12's packages the tests use (only those missing): dockerd 20.10 (docker.io), the CNCF
#     distribution registry, a static busybox, skopeo, htpasswd, zstd, openssl, curl, podman,
#     buildah, runc, uidmap, catatonit;
#   - Debian 12's dockerd 20.10 on unix:///var/run/docker.sock (the older e2e files build there);
#   - Docker Engine 26 with containerd 1.7 and the buildx plugin, the engine our users build with,
#     from Debian 13 (trixie) packages fetched with apt from this machine's own Debian source into a
#     private prefix (/opt/vi-engine; no system package changes; recipe: see ENGINES notes below);
#   - two Docker 26 daemons without a bridge network, each with its own socket, data and exec root:
#       unix:///run/vi-ctd/docker.sock      containerd image store
#       unix:///run/vi-classic/docker.sock  classic store (overlay2)
#   - buildx as a CLI plugin for the machine's docker CLI (/usr/local/lib/docker/cli-plugins);
#   - podman's Docker-compatible API on unix:///run/vi-podman/podman.sock (rootful, no network).
#
# Traps this script handles (they are real on these machines): Debian 13's runc needs GLIBC 2.38, so
# Debian 12's runc is used; dockerd starts its own containerd from PATH, so the private prefix comes
# first in PATH for the daemon processes only; the bridge network is not ours to use, so daemons run
# with --bridge=none and BuildKit RUN steps need `--network=none`; there is no systemd or journald
# here, so podman uses cgroupfs and file logs.
#
# Environment (all optional):
#   VI_ENGINE_PREFIX      where the Debian 13 engine is unpacked (default /opt/vi-engine)
#   VI_ENGINE_DOCKERD     use this dockerd (>= 25, with containerd and runc on PATH) instead of
#                         downloading Debian 13's, e.g. /usr/bin/dockerd on GitHub's Ubuntu runner
#   VI_BUILDX             use this buildx binary for the CLI plugin instead of Debian 13's
#   VI_CLI_PLUGIN_DIR     where the buildx CLI plugin goes (default /usr/local/lib/docker/cli-plugins,
#                         which every docker CLI >= 19.03 on the machine searches); set it empty to
#                         leave the system's CLI alone. Note: with the plugin installed, a plain
#                         `docker build` is BuildKit; the classic builder needs DOCKER_BUILDKIT=0
#                         (test/helpers/docker.ts sets it for the older e2e files).
#   DOCKERD_WAIT_SECONDS  how long to wait for each daemon to answer (default 60)
set -euo pipefail

# command (or file) the tests need -> the Debian package that provides it
REQUIREMENTS=(
  docker:docker.io dockerd:docker.io docker-registry:docker-registry skopeo:skopeo
  htpasswd:apache2-utils zstd:zstd openssl:openssl curl:curl podman:podman buildah:buildah
  runc:runc newuidmap:uidmap /usr/bin/catatonit:catatonit
  # The browser test of the job summary (test/e2e/summary-browser.test.ts): Chromium, and emoji that render.
  chromium:chromium /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf:fonts-noto-color-emoji
)
ENGINE_PACKAGES=(docker.io containerd docker-buildx)
ENGINE_SUITE=trixie
ENGINE_PREFIX=${VI_ENGINE_PREFIX:-/opt/vi-engine}
ENGINE_APT_DIR=/var/cache/vi-trixie
LOG_DIR=/var/log/vi-engine
DOCKERD_LOG=${DOCKERD_LOG:-/tmp/verify-image-dockerd.log}
DOCKERD_WAIT_SECONDS=${DOCKERD_WAIT_SECONDS:-60}
CLI_PLUGIN_DIR=${VI_CLI_PLUGIN_DIR-/usr/local/lib/docker/cli-plugins}
PODMAN_SOCKET_DIR=/run/vi-podman
PODMAN_SOCKET=$PODMAN_SOCKET_DIR/podman.sock

log() { echo "ensure-services: $*" >&2; }
die() { log "error: $*"; exit 1; }
need_root() { [ "$(id -u)" -eq 0 ] || die "$1 needs root: run 'sudo bash $0'"; }

busybox_is_static() {
  # A static busybox runs in a FROM scratch image; the dynamic one from package busybox does not.
  # (ldd exits non-zero for a static binary, so its output is checked, not its status.)
  local ldd_output
  [ -x /bin/busybox ] || return 1
  ldd_output=$(LC_ALL=C ldd /bin/busybox 2>&1 || true)
  [[ "$ldd_output" == *"not a dynamic executable"* ]]
}

# ---------------------------------------------------------------------------------------------
# 1. Debian 12 packages
# ---------------------------------------------------------------------------------------------
install_debian_packages() {
  local missing=() packages=() requirement need package
  for requirement in "${REQUIREMENTS[@]}"; do
    need=${requirement%%:*} package=${requirement#*:}
    if [[ "$need" == /* ]]; then [ -e "$need" ] && continue; else command -v "$need" >/dev/null 2>&1 && continue; fi
    missing+=("$need")
    [[ " ${packages[*]} " == *" $package "* ]] || packages+=("$package")
  done
  busybox_is_static || { missing+=("static /bin/busybox"); packages+=(busybox-static); }
  [ "${#missing[@]}" -gt 0 ] || return 0

  # Only what is missing: on a machine with another Docker (GitHub's runner has docker-ce),
  # installing docker.io over it would conflict.
  log "missing: ${missing[*]}; installing ${packages[*]}"
  need_root "installing packages"
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install ${packages[*]} by hand"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Recommends would add a systemd user session and rootless helpers that rootful podman does not use.
  apt-get install -y --no-install-recommends "${packages[@]}"
  hash -r
  for requirement in "${REQUIREMENTS[@]}"; do
    need=${requirement%%:*} package=${requirement#*:}
    if [[ "$need" == /* ]]; then [ -e "$need" ]; else command -v "$need" >/dev/null 2>&1; fi ||
      die "$need is still missing after installing $package"
  done
  busybox_is_static || die "/bin/busybox is still not the static build after installing busybox-static"
}

# ---------------------------------------------------------------------------------------------
# 2. Debian 12's dockerd 20.10 on /var/run/docker.sock
# ---------------------------------------------------------------------------------------------
start_debian_dockerd() {
  local i dockerd_pid=''
  daemon_answers() { docker -H unix:///var/run/docker.sock version --format '{{.Server.Version}}' >/dev/null 2>&1; }
  if daemon_answers; then
    log "dockerd $(docker -H unix:///var/run/docker.sock version --format '{{.Server.Version}} (API {{.Server.APIVersion}})') on unix:///var/run/docker.sock is running"
    return 0
  fi
  if [ -n "${DOCKER_HOST:-}" ] && [ "${DOCKER_HOST}" != "unix:///var/run/docker.sock" ]; then
    die "DOCKER_HOST=${DOCKER_HOST}: the e2e tests use unix:///var/run/docker.sock (unset DOCKER_HOST)"
  fi
  if [ -f /var/run/docker.pid ] && kill -0 "$(cat /var/run/docker.pid 2>/dev/null || echo 0)" 2>/dev/null; then
    log "dockerd is running but not answering on /var/run/docker.sock yet; waiting"
  else
    need_root "starting dockerd"
    log "starting Debian's dockerd on unix:///var/run/docker.sock (log: ${DOCKERD_LOG})"
    # No bridge here either: docker0 is not ours to rely on (it vanished mid-session on these machines),
    # and the legacy builder's RUN steps work without one.
    nohup setsid /usr/sbin/dockerd --host unix:///var/run/docker.sock --bridge=none --iptables=false >>"${DOCKERD_LOG}" 2>&1 </dev/null &
    dockerd_pid=$!
  fi
  for ((i = 0; i < DOCKERD_WAIT_SECONDS * 5; i++)); do
    if daemon_answers; then
      log "dockerd $(docker -H unix:///var/run/docker.sock version --format '{{.Server.Version}} (API {{.Server.APIVersion}})') on unix:///var/run/docker.sock is running"
      return 0
    fi
    if [ -n "$dockerd_pid" ] && ! kill -0 "$dockerd_pid" 2>/dev/null; then
      log "dockerd exited; last lines of ${DOCKERD_LOG}:"
      tail -n 40 "${DOCKERD_LOG}" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
  log "dockerd did not answer within ${DOCKERD_WAIT_SECONDS} s; last lines of ${DOCKERD_LOG}:"
  tail -n 40 "${DOCKERD_LOG}" >&2 || true
  exit 1
}

# ---------------------------------------------------------------------------------------------
# 3. Docker Engine 26 + containerd 1.7 + buildx from Debian 13, unpacked into ENGINE_PREFIX
# ---------------------------------------------------------------------------------------------

# The URI of this machine's Debian archive (the entry that serves the installed release), from
# deb822 .sources files or one-line sources.list entries.
debian_archive_uri() {
  local codename uri f
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [ -n "$codename" ] || return 1
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk -v cn="$codename" '
      BEGIN { RS = ""; FS = "\n" }
      {
        uris = ""; suites = ""; types = ""; enabled = 1
        for (i = 1; i <= NF; i++) {
          line = $i
          if (line ~ /^Types:/) types = " " substr(line, 7) " "
          if (line ~ /^URIs:/) { uris = substr(line, 6); sub(/^[ \t]+/, "", uris) }
          if (line ~ /^Suites:/) suites = " " substr(line, 8) " "
          if (line ~ /^Enabled:[ \t]*no/) enabled = 0
        }
        gsub(/\t/, " ", types); gsub(/\t/, " ", suites)
        if (enabled && types ~ / deb / && suites ~ (" " cn " ")) { split(uris, u, " "); print u[1]; exit }
      }' "$f")
    if [ -n "$uri" ]; then echo "$uri"; return 0; fi
  done
  uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    awk -v cn="$codename" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ } if ($(i + 1) == cn) { print $i; exit } }')
  [ -n "$uri" ] || return 1
  echo "$uri"
}

engine_is_installed() {
  [ -f "$ENGINE_PREFIX/.vi-engine-complete" ] &&
    [ -x "$ENGINE_PREFIX/usr/sbin/dockerd" ] &&
    [ -x "$ENGINE_PREFIX/usr/bin/containerd" ] &&
    [ -x "$ENGINE_PREFIX/usr/bin/containerd-shim-runc-v2" ] &&
    [ -x "$ENGINE_PREFIX/usr/libexec/docker/cli-plugins/docker-buildx" ]
}

install_engine() {
  if [ -n "${VI_ENGINE_DOCKERD:-}" ]; then
    [ -x "$VI_ENGINE_DOCKERD" ] || die "VI_ENGINE_DOCKERD=$VI_ENGINE_DOCKERD is not an executable"
    return 0
  fi
  engine_is_installed && return 0
  need_root "installing the Docker 26 engine into $ENGINE_PREFIX"
  local uri apt_opts staging f
  uri=$(debian_archive_uri) ||
    die "cannot find this machine's Debian archive in /etc/apt/sources.list{,.d}; on a non-Debian machine set VI_ENGINE_DOCKERD (and VI_BUILDX) to a dockerd >= 25"
  log "fetching ${ENGINE_PACKAGES[*]} from $uri $ENGINE_SUITE into $ENGINE_PREFIX"
  mkdir -p "$ENGINE_APT_DIR/lists/partial" "$ENGINE_APT_DIR/archives/partial"
  echo "deb $uri $ENGINE_SUITE main" >"$ENGINE_APT_DIR/sources.list"
  # A private apt state: the system's package lists, sources and installed packages stay as they are.
  apt_opts=(-o "Dir::Etc::sourcelist=$ENGINE_APT_DIR/sources.list" -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::lists=$ENGINE_APT_DIR/lists" -o "Dir::Cache::archives=$ENGINE_APT_DIR/archives"
    -o "APT::Sandbox::User=root")
  apt-get "${apt_opts[@]}" update -qq
  rm -f "$ENGINE_APT_DIR"/*.deb
  (cd "$ENGINE_APT_DIR" && apt-get "${apt_opts[@]}" download -qq "${ENGINE_PACKAGES[@]}")
  staging="$ENGINE_PREFIX.partial"
  rm -rf "$staging"
  mkdir -p "$staging"
  for f in "$ENGINE_APT_DIR"/*.deb; do dpkg-deb -x "$f" "$staging"; done
  ls "$ENGINE_APT_DIR"/*.deb | sed 's|.*/||' >"$staging/.vi-engine-complete"
  rm -rf "$ENGINE_PREFIX"
  mv "$staging" "$ENGINE_PREFIX"
  rm -f "$ENGINE_APT_DIR"/*.deb
  engine_is_installed || die "$ENGINE_PREFIX is incomplete after unpacking ${ENGINE_PACKAGES[*]}"
}

engine_dockerd() { echo "${VI_ENGINE_DOCKERD:-$ENGINE_PREFIX/usr/sbin/dockerd}"; }

# PATH for the engine's daemons only: dockerd starts containerd, the shims and runc from PATH.
# Debian 12's runc (/usr/sbin) is used: Debian 13's needs GLIBC 2.38.
engine_path() {
  if [ -n "${VI_ENGINE_DOCKERD:-}" ]; then
    echo "$(dirname "$VI_ENGINE_DOCKERD"):/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  else
    echo "$ENGINE_PREFIX/usr/bin:$ENGINE_PREFIX/usr/sbin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  fi
}

install_buildx_plugin() {
  local source=${VI_BUILDX:-$ENGINE_PREFIX/usr/libexec/docker/cli-plugins/docker-buildx}
  if [ -z "$CLI_PLUGIN_DIR" ]; then
    log "VI_CLI_PLUGIN_DIR is empty: buildx stays at $source (not installed as a CLI plugin)"
    return 0
  fi
  if [ ! -x "$source" ]; then
    # A CLI that has buildx already (GitHub's runner) needs nothing from us.
    docker buildx version >/dev/null 2>&1 && return 0
    die "no buildx plugin at $source; set VI_BUILDX to a docker-buildx binary"
  fi
  if ! cmp -s "$source" "$CLI_PLUGIN_DIR/docker-buildx"; then
    need_root "installing the buildx CLI plugin"
    mkdir -p "$CLI_PLUGIN_DIR"
    install -m 0755 "$source" "$CLI_PLUGIN_DIR/docker-buildx"
  fi
  docker buildx version >/dev/null 2>&1 || die "'docker buildx version' fails after installing $CLI_PLUGIN_DIR/docker-buildx"
}

engine_answers() { docker -H "unix://$1" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# start_engine NAME SNAPSHOTTER(true|false): a dockerd on /run/vi-NAME/docker.sock; prints its pid
# when it had to be started (nothing when it already answers).
start_engine() {
  local name=$1 snapshotter=$2
  local run_dir=/run/vi-$name
  local socket=$run_dir/docker.sock config=/etc/vi-engine/$name.json pidfile=$run_dir/docker.pid
  local pid
  engine_answers "$socket" && return 0
  need_root "starting dockerd $name"
  mkdir -p "$run_dir" /etc/vi-engine "$LOG_DIR" "/var/lib/vi-$name"
  if [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      log "dockerd $name (pid $pid) is running but not answering yet; waiting"
      return 0
    fi
    rm -f "$pidfile"
  fi
  printf '{\n  "features": { "containerd-snapshotter": %s }\n}\n' "$snapshotter" >"$config"
  log "starting Docker $name daemon on unix://$socket (log: $LOG_DIR/$name.log)"
  env PATH="$(engine_path)" nohup setsid "$(engine_dockerd)" \
    --config-file "$config" \
    --host "unix://$socket" \
    --data-root "/var/lib/vi-$name" \
    --exec-root "$run_dir/exec" \
    --pidfile "$pidfile" \
    --bridge=none --iptables=false --ip6tables=false \
    >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
  echo $!
}

wait_engine() {
  local name=$1 pid=$2 i
  local socket=/run/vi-$name/docker.sock
  for ((i = 0; i < DOCKERD_WAIT_SECONDS * 5; i++)); do
    if engine_answers "$socket"; then
      log "Docker $name: $(docker -H "unix://$socket" version --format 'Engine {{.Server.Version}} (API {{.Server.APIVersion}})') storage driver $(docker -H "unix://$socket" info --format '{{.Driver}}' 2>/dev/null) on unix://$socket"
      return 0
    fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      log "dockerd $name exited; last lines of $LOG_DIR/$name.log:"
      tail -n 40 "$LOG_DIR/$name.log" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
  log "dockerd $name did not answer on unix://$socket within ${DOCKERD_WAIT_SECONDS} s; last lines of $LOG_DIR/$name.log:"
  tail -n 40 "$LOG_DIR/$name.log" >&2 || true
  exit 1
}

# ---------------------------------------------------------------------------------------------
# 4. podman: rootful, no network, and its Docker-compatible API socket
# ---------------------------------------------------------------------------------------------
configure_podman() {
  # Without systemd as PID 1 (our CI machines) there is no systemd cgroup manager and no journald:
  # cgroupfs and file logs, or podman/buildah commands warn or fail. Machines with systemd keep
  # their configuration. Builds and the tests never use a container network (--network=none).
  local conf=/etc/containers/containers.conf
  [ "$(cat /proc/1/comm 2>/dev/null)" != systemd ] || return 0
  local want
  want=$(cat <<'EOF'
# Written by verify-image's scripts/ensure-services.sh: no systemd, no journald, no network here.
[containers]
log_driver = "k8s-file"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
)
  if [ ! -f "$conf" ] || ! grep -q "verify-image's scripts/ensure-services.sh" "$conf"; then
    need_root "configuring podman"
    mkdir -p /etc/containers
    [ ! -f "$conf" ] || cp "$conf" "$conf.vi-engine-backup"
    echo "$want" >"$conf"
  fi
}

podman_api_answers() { curl -fsS --max-time 2 --unix-socket "$PODMAN_SOCKET" http://d/_ping >/dev/null 2>&1; }

start_podman_api() {
  local i pid
  podman_api_answers && return 0
  need_root "starting podman's API service"
  mkdir -p "$PODMAN_SOCKET_DIR" "$LOG_DIR"
  rm -f "$PODMAN_SOCKET"
  log "starting podman system service on unix://$PODMAN_SOCKET (log: $LOG_DIR/podman.log)"
  nohup setsid podman system service --time=0 "unix://$PODMAN_SOCKET" >>"$LOG_DIR/podman.log" 2>&1 </dev/null &
  pid=$!
  for ((i = 0; i < DOCKERD_WAIT_SECONDS * 5; i++)); do
    if podman_api_answers; then
      log "podman $(podman version --format '{{.Server.Version}}' 2>/dev/null || podman --version) API on unix://$PODMAN_SOCKET"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "podman system service exited; last lines of $LOG_DIR/podman.log:"
      tail -n 40 "$LOG_DIR/podman.log" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
  log "podman's API did not answer on unix://$PODMAN_SOCKET within ${DOCKERD_WAIT_SECONDS} s"
  tail -n 40 "$LOG_DIR/podman.log" >&2 || true
  exit 1
}

# ---------------------------------------------------------------------------------------------
install_debian_packages
docker-registry --version >/dev/null 2>&1 || die "'docker-registry --version' fails: $(docker-registry --version 2>&1 | tail -n 5)"
start_debian_dockerd
# Daemons that answer need no engine install (and on a non-Debian machine a second run need not
# be told VI_ENGINE_DOCKERD again).
if ! engine_answers /run/vi-ctd/docker.sock || ! engine_answers /run/vi-classic/docker.sock; then
  install_engine
fi
install_buildx_plugin
ctd_pid=$(start_engine ctd true)
classic_pid=$(start_engine classic false)
configure_podman
start_podman_api
wait_engine ctd "$ctd_pid"
wait_engine classic "$classic_pid"
log "docker CLI $(docker version --format '{{.Client.Version}}' 2>/dev/null), $(docker buildx version 2>/dev/null || echo 'buildx not a plugin'), $(podman --version), $(buildah --version | cut -d' ' -f1-3), $(skopeo --version)"
