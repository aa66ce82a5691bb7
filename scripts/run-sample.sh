#!/usr/bin/env bash
# The main job: segment the 10 sample nuclei (data/sample) with EfficientSAM-Ti and write ROIs.
#
#   bash scripts/run-sample.sh                          # official weights, downloaded on first use
#   SAMROI_CHECKPOINT=FILE bash scripts/run-sample.sh   # a local checkpoint file instead (offline)
#
# Works from any folder; the results go to out/ under the CURRENT folder:
#   out/sample_rois.zip      ImageJ/Fiji RoiSet, one ROI per prompt of data/sample/prompts.csv
#   out/sample_rois.geojson  the same objects for QuPath
# Installs samroi from this repository (pip install -e, without torch) when Python cannot
# import it from here. Environment: PYTHON (default python3), SAMROI_CHECKPOINT,
# SAMROI_HOME (where weights and caches live), SAMROI_WEIGHTS_URL (a weights mirror).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"

if ! "$PY" - "$REPO/python" 2>/dev/null <<'EOF'
import os, sys
import samroi
sys.exit(0 if os.path.realpath(samroi.__file__).startswith(os.path.realpath(sys.argv[1]) + os.sep) else 1)
EOF
then
    echo "run-sample: installing samroi from $REPO (pip install -e, no torch) ..." >&2
    "$PY" -m pip install -q -e "$REPO"
fi

args=(--model efficientsam-ti --prompts "$REPO/data/sample/prompts.csv")
if [[ -n "${SAMROI_CHECKPOINT:-}" ]]; then
    args+=(--checkpoint "$SAMROI_CHECKPOINT")
fi
# Both runs share one image embedding through samroi's on-disk cache.
args+=(--cache-dir "$("$PY" -c 'from samroi import paths; print(paths.embeddings_dir())')")

mkdir -p out
status=0
for out in out/sample_rois.zip out/sample_rois.geojson; do
    "$PY" -m samroi segment "$REPO/data/sample/nuclei.tif" "${args[@]}" --out "$out" || status=$?
    if [[ $status -ne 0 ]]; then
        if [[ $status -eq 4 || $status -eq 5 ]]; then
            cat >&2 <<EOF
run-sample: the EfficientSAM-Ti weights are not available (samroi's message above).
Without internet access, get efficient_sam_vitt.pt on another computer and run with the local file:
    SAMROI_CHECKPOINT=FILE bash scripts/run-sample.sh
(or install it once: samroi weights install efficientsam-ti --from FILE)
EOF
        fi
        exit "$status"
    fi
done
echo "run-sample: wrote $(pwd)/out/sample_rois.zip and out/sample_rois.geojson" >&2
