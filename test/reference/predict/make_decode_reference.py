#!/usr/bin/python3
"""What cv2.imread(path, IMREAD_COLOR) (Debian python3-opencv 4.6) returns for each file in
decode/ (made by make-decode-inputs.mjs): writes decode-reference.json (shape + base64 BGR bytes).
Run: /usr/bin/python3 test/reference/predict/make_decode_reference.py, then
`npx biome check --write test/reference/predict` (formats the JSON)."""
import base64
import json
import os

import cv2

here = os.path.dirname(os.path.abspath(__file__))
out = {}
for name in sorted(os.listdir(os.path.join(here, 'decode'))):
    img = cv2.imread(os.path.join(here, 'decode', name), cv2.IMREAD_COLOR)
    out[name] = {'shape': list(img.shape), 'bgr': base64.b64encode(img.tobytes()).decode()}
with open(os.path.join(here, 'decode-reference.json'), 'w') as f:
    json.dump({'opencv': cv2.__version__, 'files': out}, f)
print(len(out), 'files')
