#!/usr/bin/env bash
# Server memory while streaming a large image through /image/v2/images/{id}/file, up and down.
# Prints figures (baseline RSS, peak RSS and its growth during each transfer, VmHWM, throughput, whether
# the sha512 round-trips); it is a benchmark, not a test: it exits non-zero only when a step fails or
# the data does not round-trip, never because of a figure. The target is growth under 64 MiB.
#
# Usage: bash scripts/bench-image-memory.sh [BINARY]   (default .build/release/stratus; builds nothing:
#        swift build -c release --product stratus first)
# Environment: BENCH_SIZE_MIB (default 1024), BENCH_SOURCE=urandom|zero (default urandom: random data;
#              zero: a sparse file, read as zeros), TMPDIR (where the data dir and files go: needs
#              3 x BENCH_SIZE_MIB free), BENCH_LIMIT_RATE (curl --limit-rate for both transfers, e.g.
#              20M: a client slower than the server, to see whether the server applies backpressure).
# Needs curl and python3. The server listens on a free port on 127.0.0.1 only.
set -euo pipefail

bin=${1:-.build/release/stratus}
size_mib=${BENCH_SIZE_MIB:-1024}
source_kind=${BENCH_SOURCE:-urandom}
interval=0.2
limit_rate=()
[[ -n ${BENCH_LIMIT_RATE:-} ]] && limit_rate=(--limit-rate "$BENCH_LIMIT_RATE")

[[ -x $bin ]] || { echo "bench-image-memory: $bin is not an executable (build it first)" >&2; exit 2; }
case $source_kind in urandom|zero) ;; *) echo "bench-image-memory: BENCH_SOURCE must be urandom or zero" >&2; exit 2;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/stratus-bench-image.XXXXXX")
server_pid=
sampler_pid=
curl_pid=
cleanup() {
  local rc=$?
  set +e
  [[ -n $curl_pid ]] && kill "$curl_pid" 2>/dev/null && wait "$curl_pid" 2>/dev/null
  [[ -n $sampler_pid ]] && kill "$sampler_pid" 2>/dev/null && wait "$sampler_pid" 2>/dev/null
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "bench-image-memory: $*" >&2; [[ -f $work/server.err ]] && tail -20 "$work/server.err" >&2; exit 1; }
kib() { awk -v k="$1:" '$1 == k { print $2; exit }' "/proc/$server_pid/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# Samples VmRSS (kB) every $interval s into $1 until killed.
sample() {
  local out=$1
  : > "$out"
  while :; do
    awk '/^VmRSS:/ { print $2; exit }' "/proc/$server_pid/status" >> "$out" 2>/dev/null || break
    sleep "$interval"
  done
}
start_sampler() { sample "$1" & sampler_pid=$!; }
stop_sampler() { kill "$sampler_pid" 2>/dev/null || true; wait "$sampler_pid" 2>/dev/null || true; sampler_pid=; }
max_of() { sort -n "$1" | tail -1; }
# Runs curl ARGS in the background and waits for it, so that a signal stops the benchmark at once (bash
# runs traps only between commands); curl's -w output goes to $work/curl.w.
transfer() {
  : > "$work/curl.w"
  curl "$@" > "$work/curl.w" & curl_pid=$!
  wait "$curl_pid" || true
  curl_pid=
}

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
base="http://127.0.0.1:$port"

STRATUS_ADMIN_PASSWORD=$password "$bin" all-in-one --driver fake --data-dir "$work/data" --host 127.0.0.1 --port "$port" \
  > "$work/server.out" 2> "$work/server.err" &
server_pid=$!
for _ in $(seq 1 300); do
  grep -q "^stratus ready: " "$work/server.out" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || die "stratus exited before it was ready"
  sleep 0.1
done
grep -q "^stratus ready: " "$work/server.out" || die "stratus not ready within 30 s"

echo "binary: $bin (pid $server_pid, $base)"
echo "image: $size_mib MiB from $source_kind${BENCH_LIMIT_RATE:+, client rate limited to $BENCH_LIMIT_RATE/s}"

# Token: password auth, scoped to project admin; the token is the X-Subject-Token header.
auth=$(python3 -c 'import json, sys; print(json.dumps({"auth": {
  "identity": {"methods": ["password"], "password": {"user": {"name": "admin", "domain": {"name": "Default"}, "password": sys.argv[1]}}},
  "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}}}}))' "$password")
status=$(curl -sS -o /dev/null -D "$work/token.headers" -w '%{http_code}' -H 'Content-Type: application/json' \
  --data-binary @- "$base/identity/v3/auth/tokens" <<< "$auth")
[[ $status == 201 ]] || die "POST /identity/v3/auth/tokens: HTTP $status"
token=$(awk 'tolower($1) == "x-subject-token:" { print $2 }' "$work/token.headers" | tr -d '\r')
[[ -n $token ]] || die "no X-Subject-Token header"
# Passed to curl as a header file, so the token is not on any command line.
printf 'X-Auth-Token: %s\n' "$token" > "$work/auth.header"

status=$(curl -sS -o "$work/image.json" -w '%{http_code}' -H @"$work/auth.header" -H 'Content-Type: application/json' \
  --data-binary '{"name":"bench","disk_format":"raw","container_format":"bare"}' "$base/image/v2/images")
[[ $status == 201 ]] || die "POST /image/v2/images: HTTP $status: $(cat "$work/image.json")"
image_id=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' "$work/image.json")

file="$work/image.raw"
if [[ $source_kind == zero ]]; then
  truncate -s "${size_mib}M" "$file"
else
  dd if=/dev/urandom of="$file" bs=1M count="$size_mib" status=none
fi
sha_file=$(sha512sum "$file" | cut -d' ' -f1)
bytes=$(stat -c %s "$file")

sleep 1  # let the server settle after the requests above
baseline=$(kib VmRSS)
echo "baseline RSS: $(mib "$baseline") MiB (VmHWM so far $(mib "$(kib VmHWM)") MiB)"

# Upload with -T, which streams the file (--data-binary @file would read it all into curl's memory).
# `Expect:` suppresses curl's 100-continue handshake, as the Python clients send none.
start_sampler "$work/rss.upload"
transfer -sS -o "$work/upload.body" -w '%{http_code} %{time_total}\n' -T "$file" "${limit_rate[@]}" \
  -H @"$work/auth.header" -H 'Content-Type: application/octet-stream' -H 'Expect:' \
  "$base/image/v2/images/$image_id/file"
read -r status seconds < "$work/curl.w" || true
stop_sampler
[[ ${status:-} == 204 ]] || die "PUT /image/v2/images/$image_id/file: HTTP ${status:-none}: $(cat "$work/upload.body" 2>/dev/null)"
peak=$(max_of "$work/rss.upload")
hwm_up=$(kib VmHWM)
echo "peak RSS during $size_mib MiB upload: $(mib "$peak") MiB (growth $(mib $((peak - baseline))) MiB; $(wc -l < "$work/rss.upload") samples)"
echo "VmHWM after upload: $(mib "$hwm_up") MiB (growth $(mib $((hwm_up - baseline))) MiB)"
echo "upload: $seconds s ($(awk -v b="$bytes" -v s="$seconds" 'BEGIN { printf "%.1f", b / 1048576 / s }') MiB/s)"
upload_growth=$(( (peak > hwm_up ? peak : hwm_up) - baseline ))

curl -sS -o "$work/image.json" -H @"$work/auth.header" "$base/image/v2/images/$image_id"
read -r image_status image_size image_sha < <(python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
print(d.get("status"), d.get("size"), d.get("os_hash_value"))' "$work/image.json")
echo "image after upload: status $image_status, size $image_size (file $bytes), os_hash_value $([[ $image_sha == "$sha_file" ]] && echo matches || echo DIFFERS from) the file's sha512"

# Download to a file in $work; the sha512 is computed afterwards, outside the timing.
after_upload=$(kib VmRSS)
start_sampler "$work/rss.download"
transfer -sS -o "$work/download.raw" -w '%{http_code} %{time_total}\n' "${limit_rate[@]}" \
  -H @"$work/auth.header" "$base/image/v2/images/$image_id/file"
read -r status seconds < "$work/curl.w" || true
stop_sampler
[[ ${status:-} == 200 ]] || die "GET /image/v2/images/$image_id/file: HTTP ${status:-none}"
peak=$(max_of "$work/rss.download")
hwm_down=$(kib VmHWM)
echo "RSS before download: $(mib "$after_upload") MiB"
echo "peak RSS during $size_mib MiB download: $(mib "$peak") MiB (growth $(mib $((peak - baseline))) MiB over baseline; $(wc -l < "$work/rss.download") samples)"
echo "VmHWM after download: $(mib "$hwm_down") MiB (growth $(mib $((hwm_down - baseline))) MiB)"
echo "download: $seconds s ($(awk -v b="$bytes" -v s="$seconds" 'BEGIN { printf "%.1f", b / 1048576 / s }') MiB/s)"
# VmHWM counts since start: it says something about the download only if it rose during it.
download_growth=$(( (hwm_down > hwm_up && hwm_down > peak ? hwm_down : peak) - baseline ))

sha_down=$(sha512sum "$work/download.raw" | cut -d' ' -f1)
rm -f "$work/download.raw" "$file"
if [[ $sha_down == "$sha_file" ]]; then echo "sha512 round trip: match"; else echo "sha512 round trip: MISMATCH"; fi

limit=$((64 * 1024))
verdict() { if (($1 < limit)); then echo "under 64 MiB"; else echo "OVER 64 MiB"; fi; }
echo "target (growth < 64 MiB; the larger of sampled peak and VmHWM): upload $(verdict "$upload_growth"), download $(verdict "$download_growth")"
[[ $sha_down == "$sha_file" && $image_sha == "$sha_file" && $image_status == active ]]
