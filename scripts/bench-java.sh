#!/usr/bin/env bash
# Figures of the Java core (org.samroi.core.bench.CoreBenchmark), printed as a markdown table:
# uv environment install (cold and warm, into a temp folder), worker start, setImage of 1024^2
# and 8192^2 16-bit images, and click-to-polygon latency with a cached embedding.
#   scripts/bench-java.sh               # full run (downloads the environment's packages once)
#   scripts/bench-java.sh --no-install  # use the machine's python3 (needs samroi importable)
#   scripts/bench-java.sh --objects     # the click rows only, each click given the mask of the
#                                       # labelled object under it (samroi.bench_engine.ObjectShapedSession)
# Note the machine load printed at the end: the figures depend on it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PYTHONPATH="$root/python${PYTHONPATH:+:$PYTHONPATH}"
if [ "${1:-}" = "--objects" ]; then
  dev="$root/../shared/data/dev"
  export SAMROI_BENCHMARK_LABELS="$dev/usiigaci_phase_d01_labels.tif:$dev/dsb_fluo_d01_labels.tif"
  shift
fi
mvn -q -B -ntp -pl java/core test-compile
mvn -q -B -ntp -pl java/core org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
  -Dexec.mainClass=org.samroi.core.bench.CoreBenchmark -Dexec.classpathScope=test \
  -Dexec.args="$*" -Dsamroi.root="$root" -Dsamroi.shared="$root/../shared"
