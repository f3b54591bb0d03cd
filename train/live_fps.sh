#!/usr/bin/env bash
# Frames per second of the whole live pipeline (decode, detect, landmarks, align, recognise) as `predict --stream` runs
# it: the 640x480 LFW scenes are streamed as MJPEG at about 100 frames per second, faster than recognition, so the newest
# frame is always waiting and the rate of processed frames is what the pipeline sustains.
#
#   train/live_fps.sh MODEL_DIR [THREADS]       e.g. a model trained with --faces detect, or a folder of enrolments
#   JAVA_OPTS=-XX:MaxVectorSize=16 train/live_fps.sh MODEL_DIR 1            the 128-bit (NEON-width) kernels
#
# Needs train/target/train.jar and ../shared/data (scenes, face-api models).
set -euo pipefail
cd "$(dirname "$0")/.."
model="$1"; threads="${2:-2}"
shared="${SLICE_SHARED:-../shared/data}"
for f in "$shared"/faces/lfw_scenes_min20/*/*.jpg; do cat "$f"; sleep 0.01; done \
  | java ${JAVA_OPTS:-} -jar train/target/train.jar --threads "$threads" predict --model "$model" --face-models "$shared/models/face_api" --stream \
      2>&1 >/dev/null | grep '^frames:'
