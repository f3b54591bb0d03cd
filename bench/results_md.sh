# shellcheck shell=bash
# Sourced by bench/compare.sh and bench/face_api_compare.sh: the parts of a RESULTS file that both write. Each
# function prints Markdown; WORK is the run's scratch folder, holding JMH's ours.log and the side-by-side.md table.

# The line that says which command wrote the file, with the JAVA_OPTS and RESULTS it ran with.
#   produced_by SCRIPT STARTED [ARG...]
produced_by() {
  local script="$1" started="$2"
  shift 2
  echo "Produced by \`${JAVA_OPTS:+JAVA_OPTS=\"$JAVA_OPTS\" }${RESULTS:+RESULTS=$RESULTS }$script${*:+$(printf ' %q' "$@")}\`, started $started."
}

# Two list items: the JDK (with JAVA_OPTS) and the FMA peak probe's line of the JMH log.
#   jdk_and_peak WORK
jdk_and_peak() {
  # shellcheck disable=SC2086
  echo "- JDK: $(java ${JAVA_OPTS:-} -version 2>&1 | head -1)${JAVA_OPTS:+ with $JAVA_OPTS}"
  echo "- $(grep '^FMA peak probe' "$1/ours.log")"
}

# Our JMH table, then the side-by-side table, each under its heading.
#   our_and_side_by_side_tables WORK
our_and_side_by_side_tables() {
  echo
  echo "## Slice (JMH; GFLOP/s and fraction of the FMA peak at the same thread count)"
  echo
  sed -n '/^| benchmark/,$p' "$1/ours.log"
  echo
  echo "## Side by side (ratio above 1: Slice is faster)"
  echo
  cat "$1/side-by-side.md"
}
