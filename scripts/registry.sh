#!/usr/bin/env bash
# A throw-away OCI registry on 127.0.0.1 for trying publish/list/pull by hand
# (the tests start their own through test/lib/registry/harness/registry.ts):
# Debian's docker-registry (CNCF distribution 2.8) on a free port, storage in
# a temporary folder, optionally with htpasswd (bcrypt) authentication.
#
#   scripts/registry.sh start [--user NAME]   (password from $REGISTRY_PASSWORD)
#   scripts/registry.sh stop DIR
#
# start prints shell assignments to eval:
#   REGISTRY=127.0.0.1:<port>  REGISTRY_DIR=<folder>  (then: --registry "$REGISTRY" --plain-http)
# The registry stops by itself after $REGISTRY_TTL seconds (default 3600),
# or with `stop`, which also deletes the folder.
#
# Needs: apt-get install -y docker-registry apache2-utils
set -euo pipefail

bin=${DOCKER_REGISTRY_BIN:-/usr/bin/docker-registry}
die() { echo "registry.sh: $*" >&2; exit 2; }

case ${1:-} in
  start)
    shift
    user=""
    if [[ ${1:-} == --user ]]; then
      user=${2:?--user needs a name}
      [[ -n ${REGISTRY_PASSWORD:-} ]] || die "--user needs the password in \$REGISTRY_PASSWORD"
    fi
    [[ -x $bin ]] || die "$bin not found: apt-get install -y docker-registry"
    dir=$(mktemp -d "${TMPDIR:-/tmp}/cs-registry-XXXXXX")
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    auth=""
    if [[ -n $user ]]; then
      command -v htpasswd >/dev/null || die "htpasswd not found: apt-get install -y apache2-utils"
      printf '%s' "$REGISTRY_PASSWORD" | htpasswd -B -i -n "$user" >"$dir/htpasswd"
      auth=$'auth:\n  htpasswd:\n    realm: cluster-stacks\n    path: '"$dir/htpasswd"
    fi
    cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
$auth
YAML
    setsid timeout "${REGISTRY_TTL:-3600}" "$bin" serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null &
    echo $! >"$dir/pid"
    for _ in $(seq 100); do
      if curl -s -o /dev/null "http://127.0.0.1:$port/v2/"; then
        echo "REGISTRY=127.0.0.1:$port"
        echo "REGISTRY_DIR=$dir"
        exit 0
      fi
      sleep 0.1
    done
    cat "$dir/registry.log" >&2
    kill "$(cat "$dir/pid")" 2>/dev/null || true
    die "docker-registry did not answer on 127.0.0.1:$port"
    ;;
  stop)
    dir=${2:?usage: registry.sh stop DIR}
    [[ -f $dir/pid && -f $dir/config.yml ]] || die "$dir is not a folder made by 'registry.sh start'"
    kill "$(cat "$dir/pid")" 2>/dev/null || true
    rm -rf "$dir"
    ;;
  *)
    die "usage: registry.sh start [--user NAME] | stop DIR"
    ;;
esac
