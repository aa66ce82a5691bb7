#!/usr/bin/env bash
# Figures of the Icy adapter (org.samroi.icy.bench.IcyBenchmark), printed as a markdown table:
# a 4160x4176 mosaic in several Icy data types and channel counts from the (mirror) sequence to
# the worker, and the click-to-ROI latency with a cached embedding. Needs python3 with samroi's
# dependencies and ../shared (dev images, fixture checkpoint). Installs nothing.
#   scripts/bench-icy.sh
# Note the machine load printed at the end: the figures depend on it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PYTHONPATH="$root/python${PYTHONPATH:+:$PYTHONPATH}"
target="${SAMROI_TARGET:-target}"
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
# One reactor build: the icy module's test class path (the core and the Icy mirror as built here).
mvn -q -B -ntp -pl java/icy -am test-compile dependency:build-classpath -Dsamroi.target="$target" \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file"
icy="$root/java/icy/$target"
java -cp "$icy/classes:$icy/test-classes:$(cat "$cp_file")" \
  -Dsamroi.python="$(command -v python3)" -Dsamroi.root="$root" -Dsamroi.shared="$root/../shared" \
  org.samroi.icy.bench.IcyBenchmark
