#!/usr/bin/env bash
# Measures the README's accuracy/time table: each recipe with train.jar (cold feature cache), then the same recipe
# in PyTorch (train/peer/torch_transfer.py) on the same split, and prints one markdown row per recipe. Each run's
# output stays in OUT/RECIPE (Slice: metrics.json with every epoch) and OUT/RECIPE.peer.json (PyTorch: best epoch,
# times), OUT = ${RESULTS_DIR:-target/results}/$(basename DATA_DIR).
#
#   train/peer/results.sh DATA_DIR LABEL [RECIPE...]      e.g. train/peer/results.sh ../shared/data/faces/att_faces AT&T
#
# RECIPE is one of: mnv2-0.5 mnv2-1.0 mnv2-0.5-ft mnv2-1.0-ft inception-mixed8 (default: all).
# Needs train/target/train.jar (mvn -DskipTests package), ../shared/data (weights) and, for the peer, Debian's
# python3-torch + python3-h5py (bench/compare.sh installs torch; `apt-get install python3-h5py`).
set -euo pipefail
cd "$(dirname "$0")/../.."
data="$1"; label="$2"; shift 2
recipes=("$@"); [ ${#recipes[@]} -gt 0 ] || recipes=(mnv2-0.5 mnv2-1.0 mnv2-0.5-ft mnv2-1.0-ft inception-mixed8)
shared="${SLICE_SHARED:-../shared/data}"
out="${RESULTS_DIR:-target/results}/$(basename "$data")"
threads="${THREADS:-2}"
mkdir -p "$out"
mnv2() { echo "$shared/models/mobilenet_v2/keras/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_$1_224_no_top.h5"; }
torch_env=(env LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 OMP_WAIT_POLICY=PASSIVE)

echo "| data | recipe | Slice test accuracy (95 % CI) | Slice time | PyTorch test accuracy | PyTorch time |"
echo "|---|---|---|---:|---|---:|"
for recipe in "${recipes[@]}"; do
  peer_args=()
  case "$recipe" in
    mnv2-0.5)    args=(--model mobilenetv2 --alpha 0.5 --weights "$(mnv2 0.5)"); peer_args=(--alpha 0.5 --weights "$(mnv2 0.5)") ;;
    mnv2-1.0)    args=(--model mobilenetv2 --alpha 1.0 --weights "$shared/models/mobilenet_v2/keras/mobilenet_v2_1.0_224_no_top_from_slim_keras2_layout.h5")
                 peer_args=(--alpha 1.0 --weights "$shared/models/mobilenet_v2/keras/mobilenet_v2_1.0_224_no_top_from_slim_keras2_layout.h5") ;;
    mnv2-0.5-ft) args=(--model mobilenetv2 --alpha 0.5 --weights "$(mnv2 0.5)" --fine-tune-from block_13_expand_relu)
                 peer_args=(--alpha 0.5 --weights "$(mnv2 0.5)" --fine-tune-from block_13_expand_relu) ;;
    mnv2-1.0-ft) args=(--model mobilenetv2 --alpha 1.0 --weights "$shared/models/mobilenet_v2/keras/mobilenet_v2_1.0_224_no_top_from_slim_keras2_layout.h5" --fine-tune-from block_13_expand_relu)
                 peer_args=(--alpha 1.0 --weights "$shared/models/mobilenet_v2/keras/mobilenet_v2_1.0_224_no_top_from_slim_keras2_layout.h5" --fine-tune-from block_13_expand_relu) ;;
    inception-mixed8) args=(--model inceptionv3 --cut mixed8 --weights "$shared/models/inception_v3/inception_v3_google2015_bnfolded_to_mixed8_keras2_layout.h5")
                 peer_args=(--model inceptionv3 --weights "$shared/models/inception_v3/inception_v3_google2015_bnfolded_to_mixed8_keras2_layout.h5") ;;
    *) echo "unknown recipe $recipe" >&2; exit 2 ;;
  esac
  run="$out/$recipe"
  rm -rf "$run" "$run.cache"
  # whole photos, as the peer reads them (train's default, --faces detect, is measured by train/faces_results.sh)
  java -jar train/target/train.jar --threads "$threads" train --data "$data" --faces whole --out "$run" --cache "$run.cache" \
      "${args[@]}" > "$run.log" 2>&1
  ours=$(python3 - "$run/metrics.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
lo, hi = m["test_accuracy_ci95"]
print(f'{100*m["test_accuracy"]:.1f} % [{100*lo:.1f}, {100*hi:.1f}] ({m["test_correct"]}/{m["test_total"]}) | {m["seconds"]["total"]:.0f} s')
PY
)
  theirs="— | —"
  if [ ${#peer_args[@]} -gt 0 ] && /usr/bin/python3 -c "import torch, h5py" 2>/dev/null; then
    theirs=$("${torch_env[@]}" /usr/bin/python3 train/peer/torch_transfer.py --split "$run/split.tsv" --threads "$threads" "${peer_args[@]}" 2>"$run.peer.log" \
      | tee "$run.peer.json" | python3 -c 'import json, sys; r = json.load(sys.stdin); print("%.1f %% (%d/%d) | %.0f s" % (100 * r["test_accuracy"], r["test_correct"], r["test_images"], r["total_s"]))')
  fi
  echo "| $label | $recipe | $ours | $theirs |"
done
