#!/usr/bin/env bash
# Slice's face networks vs face-api.js's own, same inputs, same thread counts, measured in the same run:
#
#   bench/face_api_compare.sh [JMH options] [FaceNets regex]          e.g.  bench/face_api_compare.sh -p threads=1
#   bench/face_api_compare.sh 'FaceNets.descriptor'                  the descriptor rows only
#   JAVA_OPTS=-XX:MaxVectorSize=16 RESULTS=bench/RESULTS-face-128bit.md bench/face_api_compare.sh   the 128-bit kernels
#
# Runs the FaceNets benchmarks of benchmarks.jar (the Tiny Face Detector at 320 and 416, the 68-point landmark nets at
# batch 1 and 8, the face descriptor ResNet at batch 1 and 32, 1 and 2 threads), then bench/face_api_peer.js:
# face-api.js 1.7.15 with its real weights (../shared/data/models/face_api) on @tensorflow/tfjs-backend-wasm 4.22.0,
# SIMD, and XNNPACK's thread pool for 2 threads; at 1 thread both the SIMD and the threaded SIMD binary run and each
# row keeps the faster. The npm packages are installed on first use into $FACE_API_PEER (default
# ~/.cache/slice/peers/face-api). Writes $RESULTS (default bench/RESULTS-face.md): the command, date, machine and its
# load, JDK, vector width, our table and the side-by-side.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/results_md.sh
source bench/results_md.sh

peer="${FACE_API_PEER:-$HOME/.cache/slice/peers/face-api}"
models="${FACE_API_MODELS:-../shared/data/models/face_api}"
packages=(@vladmandic/face-api@1.7.15 @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0)
if [ ! -f "$models/tiny_face_detector_model-weights_manifest.json" ]; then
  echo "face_api_compare.sh: no face-api weights in $models (set FACE_API_MODELS)" >&2
  exit 2
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "face_api_compare.sh: installing nodejs npm"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
if [ "$(node -p "try { require('$peer/node_modules/@vladmandic/face-api/package.json').version } catch (e) { '' }")" != 1.7.15 ]; then
  echo "face_api_compare.sh: installing ${packages[*]} into $peer"
  mkdir -p "$peer"
  npm install --prefix "$peer" --save-exact --no-audit --no-fund "${packages[@]}" >/dev/null
fi
[ -f bench/target/benchmarks.jar ] || mvn -B -ntp -q -pl bench -am package -DskipTests

args=("$@")
[[ " ${args[*]:-} " == *FaceNets* ]] || args+=(FaceNets)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
results="${RESULTS:-bench/RESULTS-face.md}"
started="$(date -u '+%Y-%m-%d %H:%M UTC')"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"

# shellcheck disable=SC2086
java ${JAVA_OPTS:-} -jar bench/target/benchmarks.jar -rf json -rff "$work/ours.json" "${args[@]}" | tee "$work/ours.log"

export NODE_PATH="$peer/node_modules"
for threads in $(node -p "[...new Set(require('$work/ours.json').map(r => r.params.threads).filter(Boolean))].join(' ')"); do
  binaries=(threaded-simd)
  [ "$threads" = 1 ] && binaries=(simd threaded-simd)
  for binary in "${binaries[@]}"; do
    node bench/face_api_peer.js "$work/ours.json" "$threads" "$binary" "$models" | tee -a "$work/peer.jsonl"
  done
done

node - "$work/ours.json" "$work/peer.jsonl" > "$work/side-by-side.md" <<'JS'
const fs = require('fs');
const [oursFile, peerFile] = process.argv.slice(2);
const peer = fs.readFileSync(peerFile, 'utf8').trim().split('\n').map(l => JSON.parse(l));
const key = r => `${r.benchmark}|${r.model}|${r.batch}|${r.threads}`;
const best = new Map();
for (const p of peer) if (!best.has(key(p)) || p.ms < best.get(key(p)).ms) best.set(key(p), p);
console.log('| benchmark | model | batch | threads | Slice ms | face-api wasm ms (binary) | of which input prep ms | face-api / Slice |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
for (const r of JSON.parse(fs.readFileSync(oursFile, 'utf8'))) {
  if (!r.benchmark.startsWith('slice.bench.FaceNets.')) continue;
  const row = { benchmark: r.benchmark.replace('slice.bench.', ''), model: r.params.model,
                batch: Number(r.params.batch), threads: Number(r.params.threads) };
  const ours = r.primaryMetric.score * { 'ms/op': 1, 's/op': 1e3, 'us/op': 1e-3 }[r.primaryMetric.scoreUnit];
  const p = best.get(key(row));
  const prep = p.prepMs ?? 0;
  console.log(`| ${row.benchmark} | ${row.model} | ${row.batch} | ${row.threads} | ${ours.toFixed(3)} | ` +
      `${p.ms.toFixed(3)} (${p.binary}) | ${p.prepMs === undefined ? '—' : prep.toFixed(3)} | ${((p.ms - prep) / ours).toFixed(2)} |`);
}
JS
cat "$work/side-by-side.md"

load_end="$(cut -d' ' -f1-3 /proc/loadavg)"
{
  echo "# Slice vs face-api.js (tfjs-backend-wasm): face network benchmarks"
  echo
  produced_by bench/face_api_compare.sh "$started" "$@"
  echo
  echo "- Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "- Load average (1, 5, 15 min) at the start: $load_start; at the end: $load_end. The benchmark itself adds up"
  echo "  to its thread count; a load well above that means other processes shared the $(nproc) cores and inflated the times."
  jdk_and_peak "$work"
  echo "- face-api.js $(node -p "require('@vladmandic/face-api/package.json').version"), tfjs-backend-wasm" \
       "$(node -p "require('@tensorflow/tfjs-backend-wasm/package.json').version"), Node $(node --version), weights from \`$models\`"
  echo
  echo "## What is timed"
  echo
  echo "- Slice: \`Graph.forward\` of the frozen network under \`planInference(batch)\` on a prepared (normalised) input"
  echo "  batch, random He-uniform weights (seed 42); JMH, mean of the measured iterations (\`FaceNets.java\`)."
  echo "- face-api.js, median of at least 20 calls and 2 s after 5 warm-up calls (\`face_api_peer.js\`):"
  echo "  - detector: \`nets.tinyFaceDetector.runMobilenet(x, params)\` on a normalised [1, S, S, 3] tensor: conv0 to"
  echo "    conv8, the same layers as our graph, nothing else."
  echo "  - landmarks: \`nets.faceLandmark68Net\` / \`faceLandmark68TinyNet\` \`.runNet(new NetInput(faces))\` on B"
  echo "    tensors [112, 112, 3]: face-api's toBatchTensor (stack, cast), (x − mean) / 255, the network and its fc."
  echo "    That input preparation alone is timed too (\"of which input prep\") and taken out of the ratio."
  echo "  - descriptor: \`nets.faceRecognitionNet.forwardInput(new NetInput(faces))\` on B tensors [150, 150, 3],"
  echo "    batched as face-api's API allows: the same toBatchTensor and (x − mean) / 255, the ResNet's 29"
  echo "    convolutions with their scale layers, the average pool and the fc; input prep timed and taken out as above."
  echo "  - every call reads its output with \`dataSync()\`. 2 threads: the threaded SIMD binary with XNNPACK's pool"
  echo "    of 2 (tfjs disables threads under Node and caps the pool at half the cores; face_api_peer.js lifts both)."
  echo "- Ratio: face-api network time (its time minus input prep) / Slice time; above 1 Slice is faster."
  our_and_side_by_side_tables "$work"
} > "$results"
echo "face_api_compare.sh: wrote $results"
