#!/usr/bin/env bash
# Builds the programs of the management cluster the mgmt tests run
# (scripts/mgmt-cluster.sh) from their Go modules, at the versions pinned in
# test/e2e/tools/versions.env, into the git-ignored cache
# .cache/tools/<name>-<version>/ (a version change means a new directory,
# hence a rebuild; an existing directory is reused). Same pattern as
# scripts/e2e-tools.sh: build into a temporary directory, rename at the end.
#
#   scripts/mgmt-tools.sh [TOOL]...          (default: all of them)
#
# Tools: kube-apiserver and kubectl (wrapper module test/mgmt/kubernetes), etcd
# (wrapper module test/mgmt/etcd), capi-manager, capi-kubeadm-bootstrap-manager and
# capi-kubeadm-control-plane-manager (the three main packages of
# sigs.k8s.io/cluster-api), caaph-manager (wrapper module test/mgmt/caaph).
# Pseudo-tool capi-source: prints the directory of the Cluster API module in
# the Go module cache (CRDs and webhook manifests are read from there).
#
# stdout: one "<name>=<absolute path>" line per requested tool; progress and
#         build times go to stderr.
# exit:   0 ok, 1 a build failed, 2 go is missing or the usage is wrong.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
versions_file=$root/test/e2e/tools/versions.env
tools_dir=${E2E_TOOLS_DIR:-$root/.cache/tools}

log() { echo "mgmt-tools: $*" >&2; }

if ! command -v go >/dev/null 2>&1; then
  log "'go' was not found in PATH; the management cluster is built from Go modules: install Go >= 1.26 and re-run."
  exit 2
fi

# shellcheck source=../test/e2e/tools/versions.env
. "$versions_file"
: "${KUBE_APISERVER_VERSION:?KUBE_APISERVER_VERSION missing in $versions_file}"
: "${ETCD_VERSION:?ETCD_VERSION missing in $versions_file}"
: "${CLUSTERCTL_VERSION:?CLUSTERCTL_VERSION missing in $versions_file}"
: "${CAAPH_MGMT_VERSION:?CAAPH_MGMT_VERSION missing in $versions_file}"
capi_version=$CLUSTERCTL_VERSION

export CGO_ENABLED=0 GOTOOLCHAIN=local
# -mod=readonly: the wrapper modules' go.sum must be complete (committed).
export GOFLAGS="-mod=readonly -buildvcs=false -trimpath"

# shellcheck source=tool-cache.sh
. "$root/scripts/tool-cache.sh"

# A wrapper module under test/mgmt/<dir> must require exactly the pinned version.
wrapper_key() {
  local dir=$root/test/mgmt/$1 module=$2 want=$3 have
  have=$(awk -v m="$module" '$1 == m { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$dir/go.mod")
  if [[ $have != "$want" ]]; then
    log "test/mgmt/$1/go.mod requires $module ${have:-(nothing)}, but versions.env pins $want; align them."
    exit 1
  fi
  local sum
  sum=$(cat "$dir/go.mod" "$dir/go.sum" | sha256sum | cut -c1-12)
  echo "$want-$sum"
}

# The version variables hack/lib/version.sh of Kubernetes sets; without them
# the server reports v0.0.0-master and clients refuse its version skew.
kubernetes_ldflags() {
  local major minor
  IFS=. read -r major minor _ <<<"${KUBE_APISERVER_VERSION#v}"
  local flags="-s -w" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$KUBE_APISERVER_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  echo "$flags"
}
build_kubernetes_cmd() {
  (cd "$root/test/mgmt/kubernetes" && go build -ldflags "$(kubernetes_ldflags)" -o "$1/$2" "k8s.io/kubernetes/cmd/$2")
}
build_kube_apiserver() { build_kubernetes_cmd "$1" kube-apiserver; }
build_kubectl() { build_kubernetes_cmd "$1" kubectl; }

build_etcd() {
  (cd "$root/test/mgmt/etcd" && go build -ldflags "-s -w" -o "$1/etcd" go.etcd.io/etcd/server/v3)
}

# The three managers live in the root module of sigs.k8s.io/cluster-api,
# whose go.mod has no replace directives; ldflags as in its hack/version.sh.
capi_ldflags() {
  local major minor
  IFS=. read -r major minor _ <<<"${capi_version#v}"
  local v=sigs.k8s.io/cluster-api/version
  echo "-s -w -X $v.gitVersion=$capi_version -X $v.gitMajor=$major -X $v.gitMinor=$minor -X $v.gitTreeState=clean"
}
build_capi_package() {
  local out=$1 name=$2 pkg=$3 gobin
  gobin=$(mktemp -d "$out/gobin-XXXXXX")
  GOBIN=$gobin go install -ldflags "$(capi_ldflags)" "$pkg@$capi_version" || return 1
  mv "$gobin"/* "$out/$name" && rmdir "$gobin"
}
build_capi_manager() { build_capi_package "$1" capi-manager sigs.k8s.io/cluster-api; }
build_capi_kubeadm_bootstrap_manager() { build_capi_package "$1" capi-kubeadm-bootstrap-manager sigs.k8s.io/cluster-api/bootstrap/kubeadm; }
build_capi_kubeadm_control_plane_manager() { build_capi_package "$1" capi-kubeadm-control-plane-manager sigs.k8s.io/cluster-api/controlplane/kubeadm; }

build_caaph_manager() {
  (cd "$root/test/mgmt/caaph" && go build -ldflags "-s -w" -o "$1/caaph-manager" sigs.k8s.io/cluster-api-addon-provider-helm)
}

known="etcd kube-apiserver kubectl capi-manager capi-kubeadm-bootstrap-manager capi-kubeadm-control-plane-manager caaph-manager capi-source caaph-source"
tools=("$@")
((${#tools[@]})) || read -r -a tools <<<"$known"
for tool in "${tools[@]}"; do
  case " $known " in
    *" $tool "*) ;;
    *) log "unknown tool '$tool' (known: $known)"; exit 2 ;;
  esac
done
cd "$root"
for tool in "${tools[@]}"; do
  case $tool in
    kube-apiserver | kubectl)
      key=$(wrapper_key kubernetes k8s.io/kubernetes "$KUBE_APISERVER_VERSION")
      build "$tool" "$key" "build_${tool//-/_}"
      ;;
    etcd)
      key=$(wrapper_key etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION")
      build etcd "$key" build_etcd
      ;;
    capi-manager) build capi-manager "$capi_version" build_capi_manager ;;
    capi-kubeadm-bootstrap-manager) build capi-kubeadm-bootstrap-manager "$capi_version" build_capi_kubeadm_bootstrap_manager ;;
    capi-kubeadm-control-plane-manager) build capi-kubeadm-control-plane-manager "$capi_version" build_capi_kubeadm_control_plane_manager ;;
    caaph-manager)
      key=$(wrapper_key caaph sigs.k8s.io/cluster-api-addon-provider-helm "$CAAPH_MGMT_VERSION")
      build caaph-manager "$key" build_caaph_manager
      ;;
    capi-source)
      # CRDs and webhook manifests of the managers: the module's own files.
      dir=$(GOFLAGS= go mod download -json "sigs.k8s.io/cluster-api@$capi_version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
      [[ -d $dir ]] || { log "cannot download sigs.k8s.io/cluster-api@$capi_version"; exit 1; }
      printf 'capi-source=%s\n' "$dir"
      ;;
    caaph-source)
      dir=$(GOFLAGS= go mod download -json "sigs.k8s.io/cluster-api-addon-provider-helm@$CAAPH_MGMT_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
      [[ -d $dir ]] || { log "cannot download sigs.k8s.io/cluster-api-addon-provider-helm@$CAAPH_MGMT_VERSION"; exit 1; }
      printf 'caaph-source=%s\n' "$dir"
      ;;
  esac
done
