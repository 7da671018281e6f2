#!/usr/bin/env bash
# The README's test command (`npm run test:all`), and exactly what .ci/run runs.
#
# On a fresh machine with only Node.js and Go it installs what the suites need
# itself — Debian packages (as root), the npm packages of package-lock.json,
# the pinned Go tools (built by the suites' own scripts into .cache/) — then
# runs every suite. When something cannot be installed it says in one line
# what is missing and how to get it, and exits 2.
#
# Environment: TEST_SUITES (default "unit overlay registry e2e mgmt") picks suites;
# SKIP_APT=1 never calls apt-get (then a missing package is an error).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing() { echo "test-all: missing $1" >&2; exit 2; }
phase_start=$SECONDS
phase() { echo "== $* (+$((SECONDS - phase_start))s)"; }

command -v node >/dev/null 2>&1 || missing "node: install Node.js >= 20 (https://nodejs.org or apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 || missing "npm: install npm with Node.js >= 20"
command -v go >/dev/null 2>&1 || missing "go: install Go >= 1.26 (https://go.dev/dl); the end-to-end suites build helm, clusterctl, kube-apiserver, etcd and Cluster API from Go modules"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
  || missing "Node.js >= 20 (found $(node --version))"
phase "node $(node --version), npm $(npm --version), $(go version)"

# Debian packages: chromium for the catalog page test; the CNCF distribution
# registry, htpasswd and openssl for the OCI suites; unshare and ip for the
# management cluster's private network namespace.
declare -A want=(
  [/usr/bin/chromium]=chromium
  [/usr/bin/docker-registry]=docker-registry
  [htpasswd]=apache2-utils
  [openssl]=openssl
  [unshare]=util-linux
  [ip]=iproute2
)
packages=()
for probe in "${!want[@]}"; do
  if [[ $probe == /* ]]; then [[ -x $probe ]] || packages+=("${want[$probe]}")
  else command -v "$probe" >/dev/null 2>&1 || packages+=("${want[$probe]}"); fi
done
if ((${#packages[@]})); then
  mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
  if [[ ${SKIP_APT:-} == 1 ]] || [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    missing "Debian packages: ${packages[*]} (as root: apt-get update && apt-get install -y ${packages[*]})"
  fi
  phase "apt-get install ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

# npm ci only when package-lock.json changed since the last install, so a
# developer's second run does not wipe and refetch node_modules.
stamp=node_modules/.cluster-stacks-lock.sha256
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp ]] || [[ $(cat "$stamp") != "$lock_sum" ]]; then
  phase "npm ci"
  npm ci --no-audit --no-fund
  echo "$lock_sum" >"$stamp"
fi

suites=${TEST_SUITES:-unit overlay registry e2e mgmt}
for suite in $suites; do
  case $suite in
    unit) phase "npm test"; npm test ;;
    overlay) phase "npm run test:overlay"; npm run test:overlay ;;
    registry) phase "npm run test:registry"; npm run test:registry ;;
    e2e) phase "npm run test:e2e"; npm run test:e2e ;;
    mgmt) phase "npm run test:mgmt"; npm run test:mgmt ;;
    *) echo "test-all: unknown suite '$suite' in TEST_SUITES (unit overlay registry e2e mgmt)" >&2; exit 2 ;;
  esac
done
# Packer validation of the node image build instructions needs an
# image-builder checkout, which a clean clone does not have.
if [[ -n ${IMAGE_BUILDER_DIR:-} ]]; then
  phase "npm run test:node-image (IMAGE_BUILDER_DIR=$IMAGE_BUILDER_DIR)"
  npm run test:node-image
fi
phase "all suites passed"
