# Shared by scripts/e2e-tools.sh and scripts/mgmt-tools.sh (sourced after
# they define tools_dir and log): the cache of pinned tools in
# .cache/tools/<name>-<key>/.
#
# Behind it, a store shared by every checkout on this machine, beside Go's
# own caches: ${CLUSTER_STACKS_TOOL_STORE:-${XDG_CACHE_HOME:-~/.cache}/cluster-stacks/tools}/<go version>/<name>-<key>/.
# A fresh clone (CI's) has no .cache/tools; even with a warm Go build cache,
# linking the management cluster's seven binaries again took about 19 s,
# copying them from the store takes well under one. The key names the same
# thing in every checkout (a pinned version, or a hash of the wrapper
# module's go.mod and go.sum), and the Go version is part of the path.
# CLUSTER_STACKS_TOOL_STORE= (empty) turns the store off.

tmp_dirs=()
cleanup() { if ((${#tmp_dirs[@]})); then rm -rf "${tmp_dirs[@]}"; fi; }
trap cleanup EXIT

tool_store=${CLUSTER_STACKS_TOOL_STORE-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/cluster-stacks/tools}
tool_store_dir=''
# The store's folder for the Go in PATH (computed once; empty when the store is off).
tool_store_for_go() {
  if [[ -z $tool_store_dir && -n $tool_store ]]; then
    local goversion
    goversion=$(go env GOVERSION 2>/dev/null) || goversion=''
    [[ -n $goversion ]] && tool_store_dir=$tool_store/$goversion
  fi
  [[ -n $tool_store_dir ]]
}

# copy_dir FROM TO: FROM copied (hard-linked) into a temporary directory beside TO that is
# renamed to TO at the end (TO must not exist); returns 1 when it fails.
copy_dir() {
  local from=$1 to=$2 tmp
  mkdir -p "$(dirname "$to")" || return 1
  tmp=$(mktemp -d "$to.tmp-XXXXXX") || return 1
  tmp_dirs+=("$tmp")
  chmod 755 "$tmp"
  # Hard links where both are on one file system (nothing writes a built tool in place).
  { cp -al "$from/." "$tmp/" 2>/dev/null || cp -a "$from/." "$tmp/"; } && mv -T "$tmp" "$to" 2>/dev/null
}

# build NAME KEY FUNCTION: runs FUNCTION OUTDIR unless .cache/tools/NAME-KEY/NAME
# exists or the store has it. It builds into a temporary directory that is
# renamed at the end, so an interrupted build never leaves a half-built tool
# that looks cached.
build() {
  local name=$1 key=$2 fn=$3
  local dir=$tools_dir/$name-$key
  local bin=$dir/$name
  if [[ -x $bin ]]; then
    log "$name $key: cached ($bin)"
    if tool_store_for_go && [[ ! -e $tool_store_dir/$name-$key ]]; then
      copy_dir "$dir" "$tool_store_dir/$name-$key" || log "$name $key: could not store it in $tool_store_dir (ignored)"
    fi
  elif tool_store_for_go && [[ -x $tool_store_dir/$name-$key/$name ]] && { rm -rf "$dir"; copy_dir "$tool_store_dir/$name-$key" "$dir"; } && [[ -x $bin ]]; then
    log "$name $key: copied from the tool store ($tool_store_dir/$name-$key)"
  else
    log "$name $key: building ..."
    local start=$SECONDS tmp
    mkdir -p "$tools_dir"
    tmp=$(mktemp -d "$dir.tmp-XXXXXX")
    chmod 755 "$tmp" # mktemp makes it 0700
    tmp_dirs+=("$tmp")
    if ! "$fn" "$tmp"; then
      log "$name $key: build FAILED after $((SECONDS - start))s"
      exit 1
    fi
    rm -rf "$dir"
    mv "$tmp" "$dir"
    log "$name $key: built in $((SECONDS - start))s ($bin)"
    # Another checkout may have stored it meanwhile: then the rename fails and that copy stays.
    if tool_store_for_go && [[ ! -e $tool_store_dir/$name-$key ]]; then
      copy_dir "$dir" "$tool_store_dir/$name-$key" || log "$name $key: could not store it in $tool_store_dir (ignored)"
    fi
  fi
  printf '%s=%s\n' "$name" "$bin"
}
