#!/usr/bin/env bash
# Batch throughput of the Fiji/ImageJ plugin (org.samroi.ij.BatchBenchmark): 500 Find Maxima
# points on the 4160 x 4176 mosaic of ../shared/data/dev through "Batch from ROIs", cold (new
# image: copy, encoder on every tile touched, decodes) and warm (decodes only). Prints a
# markdown table. Headless; the worker is this machine's python3 importing samroi from here.
#   scripts/bench-ij-batch.sh          # the random-weight fixture checkpoint (same speed as the real one)
#   scripts/bench-ij-batch.sh 200      # another number of points
#   SAMROI_CHECKPOINT=FILE scripts/bench-ij-batch.sh   # another checkpoint
# Note the load average printed at the end: the figures depend on it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PYTHONPATH="$root/python${PYTHONPATH:+:$PYTHONPATH}"
python="$(${PYTHON:-python3} -c 'import sys; print(sys.executable)')"
checkpoint="${SAMROI_CHECKPOINT:-$root/../shared/reference/efficient_sam_vitt_random.pt}"
mvn -q -B -ntp -pl java/ij -am test-compile
# The class path by hand: samroi-core is not installed in ~/.m2, so exec:java cannot resolve it.
deps="$(mktemp)"
trap 'rm -f "$deps"' EXIT
mvn -q -B -ntp -pl java/core dependency:build-classpath -Dmdep.outputFile="$deps" -Dmdep.includeScope=runtime
ij="$HOME/.m2/repository/net/imagej/ij/1.54f/ij-1.54f.jar"
cp="java/ij/target/test-classes:java/ij/target/classes:java/core/target/classes:$(cat "$deps"):$ij"
java -Djava.awt.headless=true -Xmx6g -Dsamroi.root="$root" -Dsamroi.shared="$root/../shared" \
  -Dsamroi.python="$python" -Dsamroi.checkpoint="$checkpoint" -cp "$cp" org.samroi.ij.BatchBenchmark "$@"
