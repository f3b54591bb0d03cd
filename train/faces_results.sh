#!/usr/bin/env bash
# Measures the README's --faces table: test accuracy of `train --faces whole` and `--faces detect` on AT&T (tight
# crops), LFW-62 (crops of whole heads) and LFW-62 pasted into 640x480 scenes, beside the LFW crops of exactly the
# photos the scenes were made from; head only and fine-tuned (blocks 13-16), MobileNetV2 α0.5 at 224 px.
#
#   train/faces_results.sh [RECIPE...]       RECIPE: head (default) and/or ft
#   DATASETS="lfw_scene_sources lfw_scenes_min20" train/faces_results.sh ft      only these rows
#
# Needs train/target/train.jar (mvn -B -ntp -DskipTests package) and ../shared/data (weights, faces, face-api models).
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${SLICE_SHARED:-../shared/data}"
out="${RESULTS_DIR:-target/faces-results}"
threads="${THREADS:-2}"
recipes=("$@"); [ ${#recipes[@]} -gt 0 ] || recipes=(head)
weights="$shared/models/mobilenet_v2/keras/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_224_no_top.h5"
mkdir -p "$out"

# The LFW crops of the photos the scenes were made from (same people, same file names).
crops="$out/lfw_scene_sources"
if [ ! -d "$crops" ]; then
  for dir in "$shared"/faces/lfw_scenes_min20/*/; do
    person=$(basename "$dir"); mkdir -p "$crops/$person"
    for f in "$dir"*.jpg; do cp "$shared/faces/lfw_deepfunneled_min20/$person/$(basename "$f")" "$crops/$person/"; done
  done
fi

echo "| data | recipe | --faces whole | --faces detect |"
echo "|---|---|---|---|"
for recipe in "${recipes[@]}"; do
  case "$recipe" in
    head) extra=() ;;
    ft)   extra=(--fine-tune-from block_13_expand_relu) ;;
    *) echo "unknown recipe $recipe" >&2; exit 2 ;;
  esac
  for data in "$shared/faces/att_faces" "$shared/faces/lfw_deepfunneled_min20" "$crops" "$shared/faces/lfw_scenes_min20"; do
    if [ -n "${DATASETS:-}" ] && [[ " $DATASETS " != *" $(basename "$data") "* ]]; then continue; fi
    row="| $(basename "$data") | $recipe |"
    for mode in whole detect; do
      run="$out/$(basename "$data")-$recipe-$mode"
      rm -rf "$run"
      if ! java -jar train/target/train.jar --threads "$threads" train --data "$data" --out "$run" --cache "$out/cache" \
          --alpha 0.5 --weights "$weights" --faces "$mode" --face-models "$shared/models/face_api" "${extra[@]}" > "$run.log" 2>&1; then
        row="$row failed: $(grep '^error' "$run.log" | head -1) |"; continue
      fi
      row="$row $(python3 - "$run/metrics.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
lo, hi = m["test_accuracy_ci95"]
print(f'{100*m["test_accuracy"]:.1f} % [{100*lo:.1f}, {100*hi:.1f}] ({m["test_correct"]}/{m["test_total"]}), {m["seconds"]["total"]:.0f} s |', end="")
PY
)"
    done
    echo "$row"
  done
done
