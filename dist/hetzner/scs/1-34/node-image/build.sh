#!/usr/bin/env bash
# Builds the node image ubuntu-2404-kube-v1.34.7 (Kubernetes v1.34.7) with
# kubernetes-sigs/image-builder v0.1.55 (7ffb9b7f1f26cd66891874463cc9411e3633325f):
#
#   IMAGE_BUILDER=<checkout at v0.1.55> bash build.sh [your var file ...]
#
# Your var files carry what only your cloud knows (for OpenStack: source_image,
# flavor, networks, ...; for Hetzner: the token in HCLOUD_TOKEN). Before it
# builds, the script checks that the checksums image-builder will trust for
# each download equal the ones this cluster stack pins (SHA256SUMS).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ib=${IMAGE_BUILDER:?set IMAGE_BUILDER to a checkout of kubernetes-sigs/image-builder at v0.1.55}
if [[ $(git -C "$ib" rev-parse HEAD) != 7ffb9b7f1f26cd66891874463cc9411e3633325f ]]; then
  echo "build.sh: $ib is not at v0.1.55 (7ffb9b7f1f26cd66891874463cc9411e3633325f)" >&2
  exit 1
fi
verify() { # name, upstream checksum file, file name in it
  local pinned upstream
  pinned=$(awk -v f="$3" '$2 == f { print $1 }' "$here/SHA256SUMS")
  upstream=$(curl -fsSL "$2" | awk -v f="$3" 'NF == 1 || $2 == f || $2 == "*" f { print $1; exit }')
  if [[ -z $pinned || $pinned != "$upstream" ]]; then
    echo "build.sh: $1: upstream sha256 '$upstream' of $3 is not the pinned '$pinned'" >&2
    exit 1
  fi
}
verify containerd 'https://github.com/containerd/containerd/releases/download/v2.2.7/containerd-2.2.7-linux-amd64.tar.gz.sha256sum' 'containerd-2.2.7-linux-amd64.tar.gz'
verify runc 'https://github.com/opencontainers/runc/releases/download/v1.3.6/runc.sha256sum' 'runc.amd64'
verify crictl 'https://github.com/kubernetes-sigs/cri-tools/releases/download/v1.34.0/crictl-v1.34.0-linux-amd64.tar.gz.sha256' 'crictl-v1.34.0-linux-amd64.tar.gz'
verify cni-plugins 'https://github.com/containernetworking/plugins/releases/download/v1.7.1/cni-plugins-linux-amd64-v1.7.1.tgz.sha256' 'cni-plugins-linux-amd64-v1.7.1.tgz'
var_files="$here/packer-variables.json"
for f in "$@"; do var_files+=" $(cd "$(dirname "$f")" && pwd)/$(basename "$f")"; done
cd "$ib/images/capi"
PACKER_VAR_FILES="$var_files" make build-hcloud-ubuntu-2404
