#!/usr/bin/env bash
# Click-to-ROI latency of the Fiji/ImageJ Annotator with a cached embedding
# (org.samroi.ij.annotator.AnnotatorBenchmark): real ImageJ on a virtual display (Xvfb), the
# Annotator's window, 50 real mouse clicks on the cells of a real image, each waiting for its ROI
# in the ROI Manager (after one click that encodes the image and ten that warm the JVM up,
# -Dwarmup=N through BENCH_JAVA_OPTS); median and p95, printed as a markdown table.
#   scripts/bench-ij-annotator.sh                       # usiigaci_phase_d01 (1024 x 1022, 16-bit), 50 clicks
#   scripts/bench-ij-annotator.sh IMAGE LABELS [CLICKS]
#   scripts/bench-ij-annotator.sh --objects [IMAGE LABELS [CLICKS]]
#                                 # each click given the mask of the labelled object under it
#                                 # (samroi.bench_engine.ObjectShapedSession), as trained weights find it
# Uses the random-weight EfficientSAM-Ti fixture of ../shared/reference (set SAMROI_CHECKPOINT to
# use another checkpoint); the decoder's cost does not depend on the weights' values. Needs Xvfb.
# BENCH_JAVA_OPTS passes JVM options, e.g. -Dthink=0 (no 300 ms pause before each click).
# Note the machine load printed at the end: the figures depend on it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
shared="$root/../shared"
objects=""
if [ "${1:-}" = "--objects" ]; then objects=1; shift; fi
image=${1:-$shared/data/dev/usiigaci_phase_d01.tif}
labels=${2:-$shared/data/dev/usiigaci_phase_d01_labels.tif}
clicks=${3:-50}
checkpoint=${SAMROI_CHECKPOINT:-$shared/reference/efficient_sam_vitt_random.pt}
python=$("${PYTHON:-python3}" -c 'import sys; print(sys.executable)')
target=${SAMROI_TARGET:-target-bench}
command -v Xvfb >/dev/null || { echo "needs Xvfb (scripts/setup-dev.sh installs it)" >&2; exit 1; }

work=$(mktemp -d)
xvfb_pid=""
cleanup() {
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mvn -q -B -ntp -pl java/ij -am test-compile dependency:build-classpath \
  -Dsamroi.target="$target" -Dmdep.outputFile="$work/classpath.txt"
cp="$(cat "$work/classpath.txt"):$root/java/ij/$target/classes:$root/java/ij/$target/test-classes"

# -displayfd: Xvfb picks a free display and writes its number once it accepts clients.
Xvfb -displayfd 3 -screen 0 1920x1440x24 -nolisten tcp 3>"$work/display" 2>"$work/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.1; done
[ -s "$work/display" ] || { echo "Xvfb did not start:" >&2; cat "$work/xvfb.log" >&2; exit 1; }

mkdir -p "$work/home"
if [ -n "$objects" ]; then export SAMROI_BENCHMARK_LABELS="$labels"; fi
DISPLAY=":$(head -n 1 "$work/display")" PYTHONPATH="$root/python${PYTHONPATH:+:$PYTHONPATH}" \
SAMROI_WEIGHTS_URL=http://127.0.0.1:9/ \
  java ${BENCH_JAVA_OPTS:-} -cp "$cp" -Duser.home="$work/home" -Dsamroi.python="$python" -Dsamroi.checkpoint="$checkpoint" \
  org.samroi.ij.annotator.AnnotatorBenchmark "$image" "$labels" "$clicks"
