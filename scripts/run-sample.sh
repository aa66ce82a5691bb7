#!/usr/bin/env bash
# The main job: plain ImageJ runs scripts/run-sample.ijm headless (a -batch macro, no windows),
# which segments the 10 sample nuclei (data/sample) with EfficientSAM-Ti through the samroi
# Fiji/ImageJ plugin and writes, under the CURRENT folder:
#   out/sample_rois.zip     ImageJ RoiSet, one ROI per box of data/sample/prompts.csv
#   out/sample_overlay.png  the image with the ROIs drawn on it
#
#   bash scripts/run-sample.sh                          # official weights, downloaded on first use
#   SAMROI_CHECKPOINT=FILE bash scripts/run-sample.sh   # a local checkpoint file instead (offline)
#
# Builds the plugin (mvn package) when java/ij/target/layouts/imagej is missing, and installs
# samroi into Python (pip install -e, without torch) when Python cannot run it from here. The
# plugin's worker is that Python (importing samroi from this checkout). Without a display,
# ImageJ runs on a virtual one (xvfb-run; scripts/setup-dev.sh installs it). Environment: PYTHON
# (default python3), SAMROI_CHECKPOINT, SAMROI_HOME (where weights and caches live),
# SAMROI_WEIGHTS_URL (a weights mirror), IJ_JAR (another ImageJ 1.x jar).
# Exit codes: 0 ok, 1 failure, 4 weights missing or invalid, 5 download failed.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
export PYTHONPATH="$REPO/python${PYTHONPATH:+:$PYTHONPATH}"

# Python that can run the worker (samroi's dependencies and appose).
if ! "$PY" -c "import samroi.worker, appose, onnxruntime" 2>/dev/null; then
    echo "run-sample: installing samroi from $REPO (pip install -e, no torch) ..." >&2
    "$PY" -m pip install -q -e "$REPO"
fi
PYEXE="$("$PY" -c 'import sys; print(sys.executable)')"

offline_hint() {
    cat >&2 <<HINT
run-sample: the EfficientSAM-Ti weights are not available (samroi's message above).
Without internet access, get efficient_sam_vitt.pt on another computer and run with the local file:
    SAMROI_CHECKPOINT=FILE bash scripts/run-sample.sh
(or install it once: samroi weights install efficientsam-ti --from FILE)
HINT
}

# Weights: the given checkpoint, or the official ones (downloaded once, verified).
if [[ -n "${SAMROI_CHECKPOINT:-}" ]]; then
    if [[ ! -f "$SAMROI_CHECKPOINT" ]]; then
        echo "run-sample: SAMROI_CHECKPOINT=$SAMROI_CHECKPOINT is not a file." >&2
        exit 4
    fi
    checkpoint="$(cd "$(dirname "$SAMROI_CHECKPOINT")" && pwd)/$(basename "$SAMROI_CHECKPOINT")"
else
    status=0
    "$PY" -m samroi weights install efficientsam-ti --quiet || status=$?
    if [[ $status -ne 0 ]]; then
        [[ $status -eq 4 || $status -eq 5 ]] && offline_hint
        exit "$status"
    fi
    checkpoint="-"
fi

# The plugin, laid out as for plain ImageJ (plugins/samroi_ij-*.jar + plugins/jars/).
LAYOUT="$REPO/java/ij/target/layouts/imagej"
if ! ls "$LAYOUT"/plugins/samroi_ij-*.jar >/dev/null 2>&1; then
    echo "run-sample: building the ImageJ plugin (mvn package) ..." >&2
    (cd "$REPO" && mvn -q -B -ntp -pl java/ij -am package -DskipTests)
fi
IJ_JAR="${IJ_JAR:-$HOME/.m2/repository/net/imagej/ij/1.54f/ij-1.54f.jar}"
if [[ ! -f "$IJ_JAR" ]]; then
    (cd "$REPO" && mvn -q -B -ntp dependency:get -Dartifact=net.imagej:ij:1.54f)
fi

display=()
if [[ -z "${DISPLAY:-}" ]]; then
    if ! command -v xvfb-run >/dev/null; then
        echo "run-sample: no display and no xvfb-run; run scripts/setup-dev.sh (installs Xvfb) or set DISPLAY." >&2
        exit 1
    fi
    display=(xvfb-run -a)
fi

mkdir -p out
OUT="$(cd out && pwd)"
rm -f "$OUT/sample_rois.zip" "$OUT/sample_overlay.png"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
"${display[@]}" java -Xmx2g -Dplugins.dir="$LAYOUT" -Dsamroi.python="$PYEXE" -Dsamroi.model=efficientsam-ti \
    -jar "$IJ_JAR" -batch "$REPO/scripts/run-sample.ijm" "$REPO|$OUT|$checkpoint" 2>&1 | tee "$log" >&2 || true
if [[ ! -f "$OUT/sample_rois.zip" || ! -f "$OUT/sample_overlay.png" ]]; then
    if grep -q "weights" "$log"; then
        offline_hint
        exit 4
    fi
    echo "run-sample: ImageJ did not write the results (its messages are above)." >&2
    exit 1
fi
echo "run-sample: wrote $OUT/sample_rois.zip and $OUT/sample_overlay.png" >&2
