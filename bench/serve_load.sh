#!/usr/bin/env bash
# Load test of `serve` on the loopback address: enrols Colin Powell (3 LFW photos) into a fresh gallery, serves it with
# THREADS compute threads (and as many workers, queue 4), then CLIENTS clients post one 640x480 LFW scene for SECONDS
# (slice.bench.research.ServeLoad): requests/s, p50/p99 latency, statuses (only 200 and 503 allowed), server heap.
#
#   bench/serve_load.sh THREADS [CLIENTS] [SECONDS]
#   JAVA_OPTS=-XX:MaxVectorSize=16 bench/serve_load.sh 1 4 30        the 128-bit (NEON-width) kernels
#   HEAP=-Xmx256m bench/serve_load.sh 2 16 30                        the server's heap limit (default -Xmx512m)
#
# Needs `mvn -B -ntp -DskipTests package` (train/target/train.jar, bench/target/benchmarks.jar) and ../shared/data.
set -euo pipefail
cd "$(dirname "$0")/.."
threads="$1"; clients="${2:-4}"; seconds="${3:-30}"; port="${PORT:-18080}"
shared="${SLICE_SHARED:-../shared/data}"
model="$(mktemp -d)"
java -jar train/target/train.jar enroll --model "$model" --face-models "$shared/models/face_api" --person "Colin Powell" \
    "$shared"/faces/lfw_deepfunneled_min20/Colin_Powell/Colin_Powell_000[1-3].jpg >/dev/null
java ${HEAP:--Xmx512m} ${JAVA_OPTS:-} -jar train/target/train.jar --threads "$threads" serve --model "$model" --face-models "$shared/models/face_api" \
    --port "$port" >/dev/null &
server=$!
trap 'kill $server; wait $server 2>/dev/null; rm -rf "$model"' EXIT
until curl -sf "http://127.0.0.1:$port/api/health" >/dev/null; do sleep 0.5; done
java -cp bench/target/benchmarks.jar slice.bench.research.ServeLoad "http://127.0.0.1:$port" \
    "$shared/faces/lfw_scenes_min20/Colin_Powell/Colin_Powell_0001.jpg" "$clients" "$seconds"
