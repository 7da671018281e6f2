#!/usr/bin/env bash
# A Cluster API management cluster on loopback, built from Go modules
# (scripts/mgmt-tools.sh): etcd, kube-apiserver, Cluster API's core, kubeadm
# bootstrap and kubeadm control plane managers, CAAPH, and further
# kube-apiservers (MGMT_WORKLOADS, default 4) as the workload clusters CAAPH
# installs into (workload-<i>.kubeconfig in the state folder).
# Everything runs in a private network namespace (`unshare -n`, loopback
# only), so nothing listens outside it and the fixed ports meet nobody else.
#
#   scripts/mgmt-cluster.sh run [--] [CMD...]  start it, run CMD (default: an
#                                              interactive shell) with KUBECONFIG
#                                              set, inside the namespace; always
#                                              tears everything down afterwards;
#                                              exits with CMD's exit code
#   scripts/mgmt-cluster.sh up                 start it in the background (state
#                                              in .cache/mgmt/)
#   scripts/mgmt-cluster.sh exec CMD...        run CMD inside the running one's
#                                              namespace, e.g.
#                                              `scripts/mgmt-cluster.sh exec kubectl get clusters -A`
#   scripts/mgmt-cluster.sh env                print its KUBECONFIG and namespace
#   scripts/mgmt-cluster.sh down               stop it (and remove .cache/mgmt/)
#
# Needs: unshare (util-linux), ip (iproute2), openssl, go, root (or
# CAP_SYS_ADMIN) for the network namespace. MGMT_KEEP=1 keeps the state
# folder of `run` (logs of every component) and prints its path;
# MGMT_TRACE=1 makes the tests print how long each of their waits took.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
self=$root/scripts/mgmt-cluster.sh
up_state=$root/.cache/mgmt
tsx=$root/node_modules/.bin/tsx

log() { echo "mgmt-cluster: $*" >&2; }
usage() { sed -n '2,/^set -euo/p' "$self" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2; }

[[ -x $tsx ]] || { log "run 'npm ci' first ($tsx is missing)"; exit 2; }

# Every process in this network namespace but this shell: the namespace is
# private to this script, so each of them was started by it.
namespace_pids() {
  local me ns p
  me=$(readlink /proc/$$/ns/net)
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [[ $p == "$$" || $p == "$BASHPID" ]] && continue
    ns=$(readlink "/proc/$p/ns/net" 2>/dev/null) || continue
    if [[ $ns == "$me" ]]; then echo "$p"; fi
  done
  return 0
}

# Outside the namespace (Go may download modules): build or find the binaries.
build_tools() {
  local state=$1 start=$SECONDS
  mkdir -p "$state"
  bash "$root/scripts/mgmt-tools.sh" >"$state/tools.env"
  log "phase tools: $((SECONDS - start)) s"
}

# Inside the namespace: start the supervisor, wait for ready.json. Sets $supervisor.
start_in_namespace() {
  local state=$1
  ip link set lo up
  rm -f "$state/ready.json"
  "$tsx" "$root/scripts/mgmt-cluster.ts" --state "$state" --tools "$state/tools.env" --workloads "${MGMT_WORKLOADS:-4}" &
  supervisor=$!
  while [[ ! -f $state/ready.json ]]; do
    if ! kill -0 "$supervisor" 2>/dev/null; then
      wait "$supervisor" || true
      log "the management cluster did not come up; logs in $state/logs/"
      return 1
    fi
    sleep 0.5
  done
}

# Inside the namespace: stop the supervisor (it stops what it started), then
# anything left in the namespace.
teardown_namespace() {
  local start=$SECONDS pids
  if [[ -n ${supervisor:-} ]] && kill -0 "$supervisor" 2>/dev/null; then
    kill -TERM "$supervisor" 2>/dev/null || true
    wait "$supervisor" 2>/dev/null || true
  fi
  pids=$(namespace_pids)
  if [[ -n $pids ]]; then
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      sleep 0.2
      pids=$(namespace_pids)
      [[ -n $pids ]] || break
    done
    # shellcheck disable=SC2086
    [[ -z $pids ]] || kill -KILL $pids 2>/dev/null || true
  fi
  log "torn down in $((SECONDS - start)) s"
}

cmd=${1:-}
[[ -n $cmd ]] || usage
shift
case $cmd in
  run)
    [[ ${1:-} == -- ]] && shift
    if [[ ${MGMT_IN_NAMESPACE:-} != 1 ]]; then
      state=$(mktemp -d "${TMPDIR:-/tmp}/cluster-stacks-mgmt-XXXXXX")
      build_tools "$state" || { rm -rf "$state"; exit 1; }
      exec unshare --net -- env MGMT_IN_NAMESPACE=1 MGMT_STATE="$state" bash "$self" run -- "$@"
    fi
    state=${MGMT_STATE:?}
    cleanup() {
      teardown_namespace
      if [[ ${MGMT_KEEP:-} == 1 ]]; then log "kept $state"; else rm -rf "$state"; fi
    }
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    start_in_namespace "$state"
    export KUBECONFIG=$state/kubeconfig MGMT_READY=$state/ready.json
    ((${#@})) || set -- "${SHELL:-bash}" -i
    rc=0
    "$@" || rc=$?
    exit "$rc"
    ;;
  __serve)
    # `up`'s background process, inside its namespace.
    state=$1
    trap teardown_namespace EXIT
    trap 'exit 0' TERM INT
    start_in_namespace "$state"
    echo $$ >"$state/namespace.pid"
    wait "$supervisor" || true
    ;;
  up)
    if [[ -f $up_state/namespace.pid ]] && kill -0 "$(cat "$up_state/namespace.pid")" 2>/dev/null; then
      log "already up (pid $(cat "$up_state/namespace.pid")); 'scripts/mgmt-cluster.sh down' first"
      exit 1
    fi
    rm -rf "$up_state"
    build_tools "$up_state"
    setsid unshare --net -- env MGMT_IN_NAMESPACE=1 bash "$self" __serve "$up_state" >"$up_state/serve.log" 2>&1 </dev/null &
    holder=$!
    while [[ ! -f $up_state/namespace.pid ]]; do
      if ! kill -0 "$holder" 2>/dev/null; then
        log "the management cluster did not come up:"
        cat "$up_state/serve.log" >&2
        exit 1
      fi
      sleep 0.5
    done
    grep 'phase\|ready' "$up_state/serve.log" >&2 || true
    bash "$self" env
    ;;
  env)
    [[ -f $up_state/namespace.pid ]] || { log "not up ('scripts/mgmt-cluster.sh up')"; exit 1; }
    pid=$(cat "$up_state/namespace.pid")
    echo "export KUBECONFIG=$up_state/kubeconfig"
    echo "# the API servers listen in the network namespace of pid $pid; reach them with"
    echo "#   scripts/mgmt-cluster.sh exec kubectl get clusters -A"
    echo "#   nsenter --net=/proc/$pid/ns/net -- <command>"
    echo "# the workload clusters: KUBECONFIG=$up_state/workload-<i>.kubeconfig"
    ;;
  exec)
    [[ -f $up_state/namespace.pid ]] || { log "not up ('scripts/mgmt-cluster.sh up')"; exit 1; }
    (($#)) || usage
    pid=$(cat "$up_state/namespace.pid")
    kubectl_dir=$(dirname "$(jq -r .kubectl "$up_state/ready.json" 2>/dev/null || sed -n 's/.*"kubectl": "\(.*\)".*/\1/p' "$up_state/ready.json")")
    exec nsenter --net="/proc/$pid/ns/net" -- env KUBECONFIG="$up_state/kubeconfig" PATH="$kubectl_dir:$PATH" "$@"
    ;;
  down)
    [[ -f $up_state/namespace.pid ]] || { log "not up"; exit 0; }
    pid=$(cat "$up_state/namespace.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then log "pid $pid did not stop; see $up_state/serve.log"; exit 1; fi
    rm -rf "$up_state"
    log "down"
    ;;
  *) usage ;;
esac
