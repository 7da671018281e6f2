# Shared by scripts/e2e-tools.sh and scripts/mgmt-tools.sh (sourced after
# they define tools_dir and log): the cache of pinned tools in
# .cache/tools/<name>-<key>/.

tmp_dirs=()
cleanup() { if ((${#tmp_dirs[@]})); then rm -rf "${tmp_dirs[@]}"; fi; }
trap cleanup EXIT

# build NAME KEY FUNCTION: runs FUNCTION OUTDIR unless .cache/tools/NAME-KEY/NAME
# exists. It builds into a temporary directory that is renamed at the end, so
# an interrupted build never leaves a half-built tool that looks cached.
build() {
  local name=$1 key=$2 fn=$3
  local dir=$tools_dir/$name-$key
  local bin=$dir/$name
  if [[ -x $bin ]]; then
    log "$name $key: cached ($bin)"
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
  fi
  printf '%s=%s\n' "$name" "$bin"
}
