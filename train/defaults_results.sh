#!/usr/bin/env bash
# Measures the README's "Which default" table: test accuracy (95 % interval) and wall time of `train` with each
# candidate default recipe on AT&T, LFW-62 and LFW-62 pasted into 640x480 scenes; every run from a cold cache of its
# own (detection, features, training, evaluation), one run at a time, faces detected (the default framing).
#
#   train/defaults_results.sh [RECIPE...]     RECIPE: fr-head, fr-head-lr0.05, mn05-head, mn10-ft
#                                             (default: fr-head mn05-head mn10-ft)
#   DATASETS="att_faces" train/defaults_results.sh fr-head                      only these data sets
#
# Needs train/target/train.jar (or JAR=...) and ../shared/data (weights, faces, face-api models).
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${SLICE_SHARED:-../shared/data}"
out="${RESULTS_DIR:-target/defaults-results}"
jar="${JAR:-train/target/train.jar}"
threads="${THREADS:-2}"
recipes=("$@"); [ ${#recipes[@]} -gt 0 ] || recipes=(fr-head mn05-head mn10-ft)
keras="$shared/models/mobilenet_v2/keras"
mkdir -p "$out"

echo "| data | recipe | test accuracy [95 % CI] | wall time | load average at start |"
echo "|---|---|---|---:|---|"
for data in "$shared/faces/att_faces" "$shared/faces/lfw_deepfunneled_min20" "$shared/faces/lfw_scenes_min20"; do
  if [ -n "${DATASETS:-}" ] && [[ " $DATASETS " != *" $(basename "$data") "* ]]; then continue; fi
  for recipe in "${recipes[@]}"; do
    case "$recipe" in
      fr-head)   args=(--model face-resnet --lr 0.01) ;;
      fr-head-lr0.05) args=(--model face-resnet --lr 0.05) ;;
      mn05-head) args=(--model mobilenetv2 --alpha 0.5 --lr 0.001
                       --weights "$keras/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_224_no_top.h5") ;;
      mn10-ft)   args=(--model mobilenetv2 --alpha 1.0 --lr 0.001 --fine-tune-from block_13_expand_relu --augment 4
                       --weights "$keras/mobilenet_v2_1.0_224_no_top_from_slim_keras2_layout.h5") ;;
      *) echo "unknown recipe $recipe" >&2; exit 2 ;;
    esac
    run="$out/$(basename "$data")-$recipe"
    rm -rf "$run" "$run.cache"
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    start=$(date +%s.%N)
    if ! java -jar "$jar" --threads "$threads" train --data "$data" --out "$run" --cache "$run.cache" \
        --face-models "$shared/models/face_api" "${args[@]}" > "$run.log" 2>&1; then
      echo "| $(basename "$data") | $recipe | failed: $(grep '^error' "$run.log" | head -1) | | $load |"; continue
    fi
    seconds=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.0f}')" "$start" "$(date +%s.%N)")
    rm -rf "$run.cache"
    echo "| $(basename "$data") | $recipe | $(python3 - "$run/metrics.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
lo, hi = m["test_accuracy_ci95"]
print(f'{100*m["test_accuracy"]:.1f} % [{100*lo:.1f}, {100*hi:.1f}] ({m["test_correct"]}/{m["test_total"]})', end="")
PY
) | $seconds s | $load |"
  done
done
