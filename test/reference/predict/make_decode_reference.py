#!/usr/bin/python3
"""What cv2.imread (Debian python3-opencv 4.6) returns for each file in decode/ (made by
make-decode-inputs.mjs): writes decode-reference.json with, per file, the IMREAD_COLOR result
(shape + base64 BGR bytes) and, under "unchanged", what PaddleSeg's reader gets for
IMAGE_TYPE rgba: cv2.imread(IMREAD_UNCHANGED), then GRAY2BGR when that is 2-D (spec §6),
with its dtype.
Run: /usr/bin/python3 test/reference/predict/make_decode_reference.py, then
`npx biome check --write test/reference/predict` (formats the JSON)."""
import base64
import json
import os

import cv2

here = os.path.dirname(os.path.abspath(__file__))
out = {}
for name in sorted(os.listdir(os.path.join(here, 'decode'))):
    path = os.path.join(here, 'decode', name)
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    raw = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if raw.ndim == 2:
        raw = cv2.cvtColor(raw, cv2.COLOR_GRAY2BGR)
    out[name] = {
        'shape': list(img.shape),
        'bgr': base64.b64encode(img.tobytes()).decode(),
        'unchanged': {
            'shape': list(raw.shape),
            'dtype': str(raw.dtype),
            'data': base64.b64encode(raw.tobytes()).decode(),
        },
    }
with open(os.path.join(here, 'decode-reference.json'), 'w') as f:
    json.dump({'opencv': cv2.__version__, 'files': out}, f)
print(len(out), 'files')
