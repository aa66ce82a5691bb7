"""For PromptCsvTest: print what samroi.outputs.read_prompts_csv makes of each CSV file given.

One JSON line per file: {"prompts": [{name, points, labels, box, position}, ...]} or
{"error": message}.
"""

import json
import sys

from samroi.errors import InputError
from samroi.outputs import read_prompts_csv


def describe(path):
    try:
        prompts = read_prompts_csv(path)
    except InputError as err:
        return {"error": str(err)}
    out = []
    for p in prompts:
        out.append({
            "name": p.name,
            "points": [] if p.points is None else p.points.tolist(),
            "labels": [] if p.labels is None else p.labels.tolist(),
            "box": None if p.box is None else p.box.tolist(),
            "position": None if p.position is None else list(p.position),
        })
    return {"prompts": out}


for arg in sys.argv[1:]:
    print(json.dumps(describe(arg)))
