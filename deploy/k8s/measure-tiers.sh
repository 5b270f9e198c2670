#!/usr/bin/env bash
# Measures what each tier uses while it serves one real camera, to set the requests and limits of the
# Kubernetes manifests: roof, fog and cloud as three OS processes (links over loopback TCP) on
# ../shared/data/vtest.avi (768x576, 10 fps, looped, read in real time like a camera), policy regions,
# YOLOv5n fp16 on the fog. Every second it reads /proc of each tier's process tree (the roof's ffmpeg
# counts toward the roof, as it would in its container): RSS and CPU time.
# Usage: npm run build && deploy/k8s/measure-tiers.sh [seconds, default 90] [fog threads, default 2]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN=${1:-90}
FOG_THREADS=${2:-2}
SHARED=${EDGE_SHARED_DIR:-$(cd .. && pwd)/shared}
[ -f dist/main.js ] || { echo "dist/main.js missing: run npm run build first" >&2; exit 1; }
[ -f "$SHARED/data/vtest.avi" ] || { echo "$SHARED/data/vtest.avi missing (set EDGE_SHARED_DIR)" >&2; exit 1; }

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
WORK=$(mktemp -d)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

R2F=$(free_port); F2C=$(free_port); NOTE=$(free_port)
export SENTINEL_HTTP__APIKEYS="measure-$(node -e "console.log(require('crypto').randomBytes(12).toString('hex'))")"
links="links:
  roofToFog: { transport: tcp, host: 127.0.0.1, port: $R2F }
  fogToCloud: { transport: tcp, host: 127.0.0.1, port: $F2C }
  notification: { transport: tcp, host: 127.0.0.1, port: $NOTE }"
for tier in roof fog cloud; do
  port=$(free_port)
  mkdir -p "$WORK/$tier-data"
  cat > "$WORK/$tier.yaml" <<YAML
tier: $tier
dataDir: $WORK/$tier-data
http: { host: 127.0.0.1, port: $port }
$links
roof:
  policy: regions
  jpegQuality: 80
  demo: { enabled: false }
  cameras:
    - { id: vtest, source: $SHARED/data/vtest.avi, loop: true, pace: true }
fog:
  modelPath: $SHARED/models/yolov5n_fp16_640.onnx
  family: yolov5
  threads: $FOG_THREADS
notification:
  log: { enabled: false }
YAML
done
for tier in cloud fog roof; do
  node --single-threaded-gc dist/main --tier=$tier --config "$WORK/$tier.yaml" > "$WORK/$tier.log" 2>&1 &
  PIDS+=($!)
  eval "PID_$tier=$!"
  for _ in $(seq 1 120); do grep -q "HTTP on port" "$WORK/$tier.log" && break; sleep 1; done
  grep -q "HTTP on port" "$WORK/$tier.log" || { echo "$tier did not start:"; tail -20 "$WORK/$tier.log"; exit 1; }
done

# The pid and every descendant (ffmpeg under the roof).
tree() { local pids=$1 frontier=$1 next; while [ -n "$frontier" ]; do next=$(for p in $frontier; do cat /proc/$p/task/*/children 2>/dev/null; done | xargs); pids="$pids $next"; frontier=$next; done; echo $pids; }
rss_kb() { local sum=0; for p in $(tree "$1"); do v=$(awk '/^VmRSS/{print $2}' /proc/$p/status 2>/dev/null || echo 0); sum=$((sum + ${v:-0})); done; echo $sum; }
# utime + stime of the tree, plus children already reaped (cutime + cstime), in clock ticks.
cpu_ticks() { local sum=0; for p in $(tree "$1"); do v=$(awk '{print $14+$15+$16+$17}' /proc/$p/stat 2>/dev/null || echo 0); sum=$((sum + ${v:-0})); done; echo $sum; }
HZ=$(getconf CLK_TCK)
echo "warming up 15 s (model load, first frames)..."
sleep 15
declare -A peak first last samples
for tier in roof fog cloud; do pid_var=PID_$tier; first[$tier]=$(cpu_ticks ${!pid_var}); peak[$tier]=0; samples[$tier]=""; done
start=$(date +%s.%N)
for _ in $(seq 1 "$SECONDS_TO_RUN"); do
  sleep 1
  for tier in roof fog cloud; do
    pid_var=PID_$tier
    r=$(rss_kb ${!pid_var}); [ "$r" -gt "${peak[$tier]}" ] && peak[$tier]=$r
    c=$(cpu_ticks ${!pid_var}); samples[$tier]="${samples[$tier]} $c"
  done
done
end=$(date +%s.%N)
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine inflates CPU figures)"
printf '%-6s %12s %14s %14s\n' tier "peak RSS MiB" "mean CPU (m)" "peak 1s CPU (m)"
for tier in roof fog cloud; do
  prev=${first[$tier]}; max=0
  for c in ${samples[$tier]}; do d=$((c - prev)); [ $d -gt $max ] && max=$d; prev=$c; done
  total=$((prev - ${first[$tier]}))
  mean=$(awk -v t=$total -v hz=$HZ -v s="$start" -v e="$end" 'BEGIN{printf "%d", t/hz/(e-s)*1000}')
  peak1=$(awk -v m=$max -v hz=$HZ 'BEGIN{printf "%d", m/hz*1000}')
  printf '%-6s %12d %14d %14d\n' $tier $((peak[$tier] / 1024)) "$mean" "$peak1"
done
# What the run carried (so a figure from a stalled pipeline is not mistaken for a working one).
for tier in roof fog; do
  port=$(grep -o 'port: [0-9]*' "$WORK/$tier.yaml" | head -1 | cut -d' ' -f2)
  node -e "fetch('http://127.0.0.1:$port/stats', { headers: { 'x-api-key': process.env.SENTINEL_HTTP__APIKEYS } }).then((r) => r.json()).then((s) => { const l = s.links ?? {}; console.log('$tier sent:', Object.entries(l).map(([k, v]) => k + ' ' + (v.sent?.messages ?? 0) + ' msgs ' + Math.round((v.sent?.bytes ?? 0) / 1024) + ' KiB').join(', ')); }, (e) => console.log('$tier /stats:', e.message))"
done
