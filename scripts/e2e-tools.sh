#!/usr/bin/env bash
# Builds the real consumer tools of the end-to-end tests from their Go modules,
# at the versions pinned in test/e2e/tools/versions.env, into the git-ignored
# cache .cache/tools/<name>-<version>/ (a version change means a new directory,
# hence a rebuild; an existing directory is reused).
#
#   scripts/e2e-tools.sh [TOOL]...          (default: all of them)
#
# Tools: helm and clusterctl (upstream modules), and the helper programs of
# this repository under test/e2e/: cso-check (the operator's release-loading
# rules), overwrite-render (the operator's overwrite.yaml rendering with
# slim-sprig) and k8s-check (kube-apiserver's custom resource validation and
# the operator's parsing of helm output).
#
# stdout: one "<name>=<absolute path of the binary>" line per requested tool,
#         for callers to parse; progress and build times go to stderr.
# exit:   0 ok, 1 a build failed, 2 go is missing or the usage is wrong.
#
# Environment: E2E_TOOLS_DIR overrides the cache directory. GOPATH, GOMODCACHE
# and GOCACHE keep their defaults unless set by the caller.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
versions_file=$root/test/e2e/tools/versions.env
cso_check_dir=$root/test/e2e/cso-check
tools_dir=${E2E_TOOLS_DIR:-$root/.cache/tools}

log() { echo "e2e-tools: $*" >&2; }

if ! command -v go >/dev/null 2>&1; then
  log "'go' was not found in PATH."
  log "helm, clusterctl and cso-check are built from their Go modules; install Go >= 1.26 and re-run."
  exit 2
fi

# shellcheck source=../test/e2e/tools/versions.env
. "$versions_file"
: "${HELM_VERSION:?HELM_VERSION missing in $versions_file}"
: "${CLUSTERCTL_VERSION:?CLUSTERCTL_VERSION missing in $versions_file}"
: "${CSO_VERSION:?CSO_VERSION missing in $versions_file}"
: "${SLIM_SPRIG_VERSION:?SLIM_SPRIG_VERSION missing in $versions_file}"
: "${K8S_LIBS_VERSION:?K8S_LIBS_VERSION missing in $versions_file}"

# Static binaries, and never let go fetch another toolchain behind our back.
export CGO_ENABLED=0 GOTOOLCHAIN=local
# -mod=readonly: the cso-check module's go.sum must already be complete, so a
# build never edits tracked files (`go install pkg@version` ignores it).
# -buildvcs=false: version data comes from -ldflags, not from this checkout.
export GOFLAGS="-mod=readonly -buildvcs=false -trimpath"

# shellcheck source=tool-cache.sh
. "$root/scripts/tool-cache.sh"

# helm's go.mod has no replace directives, so `go install pkg@version` works.
# The ldflags are the ones of helm's own Makefile: without the k8sVersion ones
# `helm template` would claim Kubernetes v1.20 (.Capabilities.KubeVersion and
# the kubeVersion constraint check of charts); the Makefile derives them from
# the k8s.io/client-go version helm is built with (v0.X.Y -> 1.X).
build_helm() {
  local gomod client_go minor
  # (set -e is off inside a function called from `if`: check by hand)
  gomod=$(go list -m -f '{{.GoMod}}' "helm.sh/helm/v3@$HELM_VERSION") || return 1
  client_go=$(awk '$1 == "k8s.io/client-go" { print $2; exit }' "$gomod")
  minor=$(cut -d. -f2 <<<"$client_go")
  [[ $minor =~ ^[0-9]+$ ]] || { log "cannot read the k8s.io/client-go version from $gomod"; return 1; }
  local v=helm.sh/helm/v3/internal/version
  GOBIN=$1 go install -ldflags "-s -w -X $v.version=$HELM_VERSION -X $v.metadata= -X $v.gitTreeState=clean \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$minor \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$minor" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
}

# cmd/clusterctl is a package of the root module sigs.k8s.io/cluster-api, whose
# go.mod has no replace directives, so `go install pkg@version` works. The
# ldflags mirror cluster-api's hack/version.sh: with an empty gitVersion
# clusterctl calls itself a development build.
build_clusterctl() {
  local major minor
  IFS=. read -r major minor _ <<<"${CLUSTERCTL_VERSION#v}"
  local v=sigs.k8s.io/cluster-api/version
  GOBIN=$1 go install -ldflags "-s -w -X $v.gitVersion=$CLUSTERCTL_VERSION -X $v.gitMajor=$major \
    -X $v.gitMinor=$minor -X $v.gitTreeState=clean" \
    "sigs.k8s.io/cluster-api/cmd/clusterctl@$CLUSTERCTL_VERSION"
}

# Packer's last MPL release; its go.mod has no replace directives. The version
# variables are those of its own Makefile, so `packer version` tells the truth.
build_packer() {
  GOBIN=$1 go install -ldflags "-s -w -X github.com/hashicorp/packer/version.Version=${PACKER_VERSION#v} \
    -X github.com/hashicorp/packer/version.VersionPrerelease=" "github.com/hashicorp/packer@$PACKER_VERSION"
}

# cso-check is a module in this repository: `go build` it in place.
build_cso_check() {
  (cd "$cso_check_dir" && go build -ldflags "-s -w" -o "$1/cso-check" .)
}

# cso-check re-implements the release-loading rules of one operator version
# (see test/e2e/cso-check/operator.go); refuse to build it against another pin.
cso_check_key() {
  local mirrored
  mirrored=$(sed -n 's/^const operatorVersion = "\(.*\)"$/\1/p' "$cso_check_dir/operator.go")
  if [[ $mirrored != "$CSO_VERSION" ]]; then
    log "cso-check follows cluster-stack-operator '$mirrored' but versions.env pins CSO_VERSION=$CSO_VERSION:"
    log "re-read the operator at $CSO_VERSION and update test/e2e/cso-check/operator.go first."
    exit 1
  fi
  # The key also hashes the sources, so editing the program rebuilds it.
  local sum
  sum=$(cd "$cso_check_dir" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-12)
  echo "$CSO_VERSION-$sum"
}

# The other helper programs are modules under test/e2e/<name>/, built in
# place like cso-check. Their go.mod must require exactly the versions
# versions.env pins (refused otherwise, so versions.env stays the one place to
# read them); the cache key is those versions plus a hash of the sources.
#   local_module_key NAME MODULE VERSION [MODULE VERSION]...
local_module_key() {
  local name=$1 dir=$root/test/e2e/$1
  shift
  local key="" module want have
  while (($#)); do
    module=$1 want=$2
    shift 2
    have=$(awk -v m="$module" '$1 == m { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$dir/go.mod")
    if [[ $have != "$want" ]]; then
      log "$name: test/e2e/$name/go.mod requires $module ${have:-(nothing)}, but versions.env pins $want; align them."
      exit 1
    fi
    [[ -$key- == *"-$want-"* ]] || key=${key:+$key-}$want
  done
  local sum
  sum=$(cd "$dir" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-12)
  echo "$key-$sum"
}

build_local_module() {
  local name=$1 out=$2
  (cd "$root/test/e2e/$name" && go build -ldflags "-s -w" -o "$out/$name" .)
}
build_overwrite_render() { build_local_module overwrite-render "$1"; }
build_k8s_check() { build_local_module k8s-check "$1"; }

# oras-pull (test/e2e/oras-pull, used by test/lib/registry): downloads a release
# artifact the way the operator does, oras.Copy into an oras file store, with
# the oras-go version the operator at CSO_VERSION requires (ORAS_GO_VERSION).
build_oras_pull() { build_local_module oras-pull "$1"; }

# flux-pull (test/e2e/flux-pull, used by test/lib/registry/flux-artifact.test.ts): pulls a
# Flux OCI artifact with Flux's own client, github.com/fluxcd/pkg/oci, as
# `flux pull artifact` does. Its go.mod must require FLUX_PKG_OCI_VERSION
# (v0.70.0 until versions.env pins it; see test/e2e/flux-pull/main.go).
build_flux_pull() { build_local_module flux-pull "$1"; }

# v1beta2-convert (test/e2e/v1beta2-convert, used by test/e2e/v1beta2.e2e.test.ts):
# checks the v1beta2 output with Cluster API's own conversion, ClusterClass
# webhook and patch generator at CAPI_V1BETA2_VERSION. Its module path lies
# below sigs.k8s.io/cluster-api because Go's internal-package rule is path
# based; nothing of Cluster API is copied.
build_v1beta2_convert() { build_local_module v1beta2-convert "$1"; }

# cosign (used by test/e2e/signing.e2e.test.ts): sigstore's CLI, whose
# verify / verify-attestation / sign must accept this project's signatures and
# produce ones the CLI accepts. cmd/cosign is a package of the root module
# github.com/sigstore/cosign/v2, whose go.mod has no replace directives, so
# `go install pkg@version` works. The ldflags are the ones of cosign's
# Makefile (release-utils' version package), so `cosign version` names it.
build_cosign() {
  local v=sigs.k8s.io/release-utils/version
  GOBIN=$1 go install -ldflags "-s -w -X $v.gitVersion=$COSIGN_VERSION -X $v.gitTreeState=clean" \
    "github.com/sigstore/cosign/v2/cmd/cosign@$COSIGN_VERSION"
}

known="helm clusterctl cso-check overwrite-render k8s-check oras-pull flux-pull v1beta2-convert cosign packer"
tools=("$@")
((${#tools[@]})) || read -r -a tools <<<"$known"
for tool in "${tools[@]}"; do
  case " $known " in
    *" $tool "*) ;;
    *) log "unknown tool '$tool' (known: $known)"; exit 2 ;;
  esac
done
cd "$root" # outside any Go module, whatever the caller's directory
for tool in "${tools[@]}"; do
  # Each key on its own line: set -e ignores a failing $(...) inside arguments.
  case $tool in
    helm) build helm "$HELM_VERSION" build_helm ;;
    clusterctl) build clusterctl "$CLUSTERCTL_VERSION" build_clusterctl ;;
    cso-check)
      key=$(cso_check_key)
      build cso-check "$key" build_cso_check
      ;;
    overwrite-render)
      key=$(local_module_key overwrite-render github.com/go-task/slim-sprig/v3 "$SLIM_SPRIG_VERSION")
      build overwrite-render "$key" build_overwrite_render
      ;;
    k8s-check)
      key=$(local_module_key k8s-check k8s.io/apiextensions-apiserver "$K8S_LIBS_VERSION" \
        k8s.io/apimachinery "$K8S_LIBS_VERSION" k8s.io/apiserver "$K8S_LIBS_VERSION")
      build k8s-check "$key" build_k8s_check
      ;;
    oras-pull)
      key=$(local_module_key oras-pull oras.land/oras-go/v2 "${ORAS_GO_VERSION:?ORAS_GO_VERSION missing in $versions_file}")
      build oras-pull "$key" build_oras_pull
      ;;
    flux-pull)
      key=$(local_module_key flux-pull github.com/fluxcd/pkg/oci "${FLUX_PKG_OCI_VERSION:-v0.70.0}")
      build flux-pull "$key" build_flux_pull
      ;;
    packer) build packer "${PACKER_VERSION:?PACKER_VERSION missing in $versions_file}" build_packer ;;
    v1beta2-convert)
      key=$(local_module_key v1beta2-convert sigs.k8s.io/cluster-api "${CAPI_V1BETA2_VERSION:?CAPI_V1BETA2_VERSION missing in $versions_file}")
      build v1beta2-convert "$key" build_v1beta2_convert
      ;;
    cosign) build cosign "${COSIGN_VERSION:?COSIGN_VERSION missing in $versions_file}" build_cosign ;;
  esac
done
