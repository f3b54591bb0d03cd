#!/usr/bin/env bash
# Slice vs PyTorch (and ONNX Runtime for whole-network inference), same shapes, same models, same thread counts,
# measured in the same run:
#
#   bench/compare.sh [JMH options and benchmark regexes]     e.g.  bench/compare.sh 'Inference' -p batch=1
#   JAVA_OPTS=-XX:MaxVectorSize=16 RESULTS=bench/RESULTS-128bit.md bench/compare.sh    the 128-bit (NEON-width) kernels
#
# Runs benchmarks.jar (the headline set when no regex is given), then bench/torch_peer.py on the same list, and
# writes $RESULTS (default bench/RESULTS.md): the command, date, machine, JDK and vector width, our table (time, GFLOP/s, fraction of
# the FMA peak) and the side-by-side table. PyTorch is Debian's python3-torch, installed here if missing, set up at
# its best: OpenBLAS-OpenMP (not the reference BLAS), tcmalloc, explicit thread counts, the faster of spinning
# and passive OpenMP waiting for each row, channels_last, no_grad. For the Inference rows, ONNX Runtime runs the same
# PyTorch networks too: bench/onnx_export.py exports them (torch.onnx.export, eval mode) and bench/ort_peer.js times
# them in onnxruntime-node (npm, its bundled CPU build), installed on first use into $ORT_PEER (default
# ~/.cache/slice/peers/onnxruntime), graph optimisation 'all', the row's intra-op threads, the faster of a spinning
# and a sleeping thread pool; the tables get its time and the ratio ORT / Slice.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/results_md.sh
source bench/results_md.sh

ort_version=1.31.1
ort_peer="${ORT_PEER:-$HOME/.cache/slice/peers/onnxruntime}"
need=()
for pkg in python3-torch python3-torchvision libopenblas0-openmp libtcmalloc-minimal4; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
command -v node >/dev/null && command -v npm >/dev/null || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "compare.sh: installing ${need[*]}"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; } >/dev/null 2>&1; then
    echo "compare.sh: apt-get could not install ${need[*]} (offline, or not root?)" >&2
    exit 2
  fi
fi
# onnxruntime-node's CPU binary ships in the npm package; its install script would only fetch the CUDA provider.
installed="$(node -p "try { require('$ort_peer/node_modules/onnxruntime-node/package.json').version } catch (e) { '' }")"
if [ "$installed" != "$ort_version" ]; then
  echo "compare.sh: installing onnxruntime-node@$ort_version into $ort_peer"
  mkdir -p "$ort_peer"
  if ! ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix "$ort_peer" --save-exact --no-audit --no-fund \
      "onnxruntime-node@$ort_version" >/dev/null 2>&1; then
    echo "compare.sh: npm could not install onnxruntime-node@$ort_version into $ort_peer (offline?)" >&2
    exit 2
  fi
fi
[ -f bench/target/benchmarks.jar ] || mvn -B -ntp -q -pl bench -am package -DskipTests

# Debian's torch is built for the system python, not for a pyenv python that may come first on PATH.
python=/usr/bin/python3
multiarch="$($python -c 'import sysconfig; print(sysconfig.get_config_var("MULTIARCH"))')"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

results="${RESULTS:-bench/RESULTS.md}"
started="$(date -u '+%Y-%m-%d %H:%M UTC')"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
java ${JAVA_OPTS:-} -jar bench/target/benchmarks.jar -rf json -rff "$work/ours.json" "$@" | tee "$work/ours.log"
# PyTorch's OpenMP threads either spin between parallel regions (ACTIVE, OpenMP's default: fastest on an idle CPU,
# e.g. MobileNetV2 at 2 threads 9.6 ms vs 24 ms passive) or sleep (PASSIVE: on 2 cores that other processes also
# use, spinning took 0.8-2 s for the same forward). The peer runs under both and each row keeps the faster one.
for policy in ACTIVE PASSIVE; do
  OMP_WAIT_POLICY=$policy \
  LD_LIBRARY_PATH="/usr/lib/$multiarch/openblas-openmp" LD_PRELOAD="/usr/lib/$multiarch/libtcmalloc_minimal.so.4" \
    "$python" bench/torch_peer.py "$work/ours.json" | tee "$work/peer-$policy.md"
done
touch "$work/ort.jsonl"
if grep -q '"slice.bench.Inference.forward"' "$work/ours.json"; then
  "$python" bench/onnx_export.py "$work/ours.json" "$work/onnx"
  NODE_PATH="$ort_peer/node_modules" node bench/ort_peer.js "$work/ours.json" "$work/onnx" | tee "$work/ort.jsonl"
fi
# One table: each PyTorch row the faster policy; with ONNX Runtime rows, two more columns (the faster pool setting).
"$python" - "$work/peer-ACTIVE.md" "$work/peer-PASSIVE.md" "$work/ort.jsonl" > "$work/side-by-side.md" <<'PY'
import json
import sys
active, passive, ort_lines = (open(f).read().splitlines() for f in sys.argv[1:4])
ort = {}
for r in map(json.loads, ort_lines):
    key = (r["model"], str(r["batch"]), str(r["threads"]))
    if key not in ort or r["ms"] < ort[key]["ms"]:
        ort[key] = r
for a, p in zip(active, passive):
    ca, cp = a.split("|"), p.split("|")
    if len(ca) < 9 or not a.startswith("| ") and not a.startswith("|---"):
        print(a)
        continue
    if ca[6].strip() in ("PyTorch ms", "---:"):
        print(a + (" ONNX Runtime ms | ORT / Slice |" if a.startswith("| ") else "---:|---:|") * bool(ort))
        continue
    ours, best = float(ca[5]), min((float(ca[6]), "active"), (float(cp[6]), "passive"))
    ca[6], ca[7] = f" {best[0]:.3f} ({best[1]}) ", f" {best[0] / ours:.2f} "
    row = "|".join(ca)
    if ort:
        o = ort.get((ca[2].strip(), ca[3].strip(), ca[4].strip())) if ca[1].strip() == "Inference.forward" else None
        pool = "" if o is None or o["threads"] == 1 else " (spinning)" if o["spinning"] else " (sleeping)"
        row += f" {o['ms']:.3f}{pool} | {o['ms'] / ours:.2f} |" if o else " — | — |"
    print(row)
PY
cat "$work/side-by-side.md"

{
  echo "# Slice vs PyTorch: benchmark results"
  echo
  produced_by bench/compare.sh "$started" "$@"
  echo
  echo "- Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average"
  echo "  (1, 5, 15 min) at the start: $load_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  jdk_and_peak "$work"
  if [ -s "$work/ort.jsonl" ]; then
    echo "- ONNX Runtime: onnxruntime-node $ort_version (its bundled CPU build), Node $(node --version); the PyTorch"
    echo "  networks exported by bench/onnx_export.py (torch $("$python" -c 'import torch; print(torch.__version__)'),"
    echo "  eval mode, static shapes);"
    echo "  ORT ms is the median of at least 5 calls and 4 s of \`session.run\` after a warm-up (bench/ort_peer.js), where"
    echo "  Slice and PyTorch report a mean; at 2 threads the faster of a spinning and a sleeping intra-op pool."
  fi
  our_and_side_by_side_tables "$work"
} > "$results"
echo "compare.sh: wrote $results"
