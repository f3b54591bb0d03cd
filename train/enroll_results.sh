#!/usr/bin/env bash
# Measures the README's "enroll into a trained model" row: train (the defaults: face-resnet, head only) on LFW-62 with
# one person held out, enroll that person from 5 photos (the head retrained from cached features), and predict their
# other photos; prints enroll's own line, its wall time with the JVM's start, and how the other photos are answered.
#
#   train/enroll_results.sh [PERSON]        (default Angelina_Jolie, 20 photos)
#
# Needs train/target/train.jar (or JAR=...) and ../shared/data (faces, face-api models).
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${SLICE_SHARED:-../shared/data}"
out="${RESULTS_DIR:-target/enroll-results}"
jar="${JAR:-train/target/train.jar}"
person="${1:-Angelina_Jolie}"
models="$shared/models/face_api"
rm -rf "$out" && mkdir -p "$out/data"
for dir in "$shared"/faces/lfw_deepfunneled_min20/*/; do
  [ "$(basename "$dir")" = "$person" ] || cp -r "$dir" "$out/data/"
done
photos=("$shared/faces/lfw_deepfunneled_min20/$person/"*.jpg)
start=$(date +%s.%N)
java -jar "$jar" --threads 2 train --data "$out/data" --face-models "$models" --out "$out/model" --cache "$out/cache" \
    > "$out/train.log" 2>&1
echo "train (61 people, cold cache): $(grep '^test accuracy' "$out/train.log"), wall $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.0f}')" "$start" "$(date +%s.%N)") s"
start=$(date +%s.%N)
java -jar "$jar" --threads 2 enroll --model "$out/model" --cache "$out/cache" --face-models "$models" --person "$person" \
    "${photos[@]:0:5}" > "$out/enroll.log" 2>&1
echo "enroll 5 photos: $(tail -1 "$out/enroll.log"); wall $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$start" "$(date +%s.%N)") s"
java -jar "$jar" --threads 2 predict --model "$out/model" --face-models "$models" "${photos[@]:5}" > "$out/predict.log" 2>&1
echo "the other ${#photos[@]} - 5 photos: $(cut -f4 "$out/predict.log" | sort | uniq -c | sort -rn | tr '\n' ' ')"
