#!/usr/bin/env bash
# Slice vs PyTorch, same shapes, same models, same thread counts, measured in the same run:
#
#   bench/compare.sh [JMH options and benchmark regexes]     e.g.  bench/compare.sh 'Inference' -p batch=1
#   JAVA_OPTS=-XX:MaxVectorSize=16 RESULTS=bench/RESULTS-128bit.md bench/compare.sh    the 128-bit (NEON-width) kernels
#
# Runs benchmarks.jar (the headline set when no regex is given), then bench/torch_peer.py on the same list, and
# writes $RESULTS (default bench/RESULTS.md): the command, date, machine, JDK and vector width, our table (time, GFLOP/s, fraction of
# the FMA peak) and the side-by-side table. PyTorch is Debian's python3-torch, installed here if missing, set up at
# its best: OpenBLAS-OpenMP (not the reference BLAS), tcmalloc, explicit thread counts, the faster of spinning
# and passive OpenMP waiting for each row, channels_last, no_grad.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/results_md.sh
source bench/results_md.sh

need=()
for pkg in python3-torch python3-torchvision libopenblas0-openmp libtcmalloc-minimal4; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "compare.sh: installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
[ -f bench/target/benchmarks.jar ] || mvn -B -ntp -q -pl bench -am package -DskipTests

# Debian's torch is built for the system python, not for a pyenv python that may come first on PATH.
python=/usr/bin/python3
multiarch="$($python -c 'import sysconfig; print(sysconfig.get_config_var("MULTIARCH"))')"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

results="${RESULTS:-bench/RESULTS.md}"
started="$(date -u '+%Y-%m-%d %H:%M UTC')"
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
"$python" - "$work/peer-ACTIVE.md" "$work/peer-PASSIVE.md" > "$work/side-by-side.md" <<'PY'
import sys
active, passive = (open(f).read().splitlines() for f in sys.argv[1:3])
for a, p in zip(active, passive):
    ca, cp = a.split("|"), p.split("|")
    if len(ca) < 9 or not a.startswith("| ") or ca[6].strip() in ("PyTorch ms", "---:"):
        print(a)
        continue
    ours, best = float(ca[5]), min((float(ca[6]), "active"), (float(cp[6]), "passive"))
    ca[6], ca[7] = f" {best[0]:.3f} ({best[1]}) ", f" {best[0] / ours:.2f} "
    print("|".join(ca))
PY
cat "$work/side-by-side.md"

{
  echo "# Slice vs PyTorch: benchmark results"
  echo
  produced_by bench/compare.sh "$started" "$@"
  echo
  echo "- Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  jdk_and_peak "$work"
  our_and_side_by_side_tables "$work"
} > "$results"
echo "compare.sh: wrote $results"
