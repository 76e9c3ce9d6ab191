#!/usr/bin/python3
"""Reference outputs of OpenCV's cv2.resize on small random uint8 images, for the resize
tests of src/predict (INTER_LINEAR with dsize and with fx/fy, INTER_NEAREST), covering
upscaling, downscaling, exact 2x downscaling, odd sizes, 1 and 3 channels.
Run with Debian's python3-opencv: /usr/bin/python3 test/reference/predict/make_resize_reference.py
then `npx biome check --write test/reference/predict` (formats the JSON).
Writes test/reference/predict/resize-reference.json next to this script."""
import base64
import json
import os

import cv2
import numpy as np

rng = np.random.default_rng(20260101)
cases = []


def add(kind, h, w, cn, dsize=None, fx=None):
    shape = (h, w) if cn == 1 else (h, w, cn)
    src = rng.integers(0, 256, size=shape, dtype=np.uint8)
    interp = cv2.INTER_NEAREST if kind == 'nearest' else cv2.INTER_LINEAR
    if fx is not None:
        out = cv2.resize(src, (0, 0), fx=fx, fy=fx, interpolation=interp)
    else:
        out = cv2.resize(src, dsize, interpolation=interp)
    cases.append({
        'kind': kind, 'width': w, 'height': h, 'channels': cn,
        'dsize': list(dsize) if dsize else None, 'fx': fx,
        'outWidth': int(out.shape[1]), 'outHeight': int(out.shape[0]),
        'src': base64.b64encode(src.tobytes()).decode(), 'out': base64.b64encode(out.tobytes()).decode(),
    })


for cn in (1, 3):
    for (h, w), dsize in [((5, 7), (23, 17)), ((9, 4), (64, 64)), ((48, 64), (17, 13)), ((40, 30), (20, 15)),
                          ((33, 61), (61, 33)), ((16, 16), (128, 96)), ((3, 2), (5, 3)), ((100, 37), (50, 100))]:
        add('linear', h, w, cn, dsize=dsize)
        add('nearest', h, w, cn, dsize=dsize)
    for (h, w), fx in [((37, 53), 128 / 53), ((61, 47), 0.61), ((30, 40), 1.5), ((99, 77), 0.3333)]:
        add('linear', h, w, cn, fx=fx)
        add('nearest', h, w, cn, fx=fx)

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'resize-reference.json')
with open(out, 'w') as f:
    json.dump({'opencv': cv2.__version__, 'cases': cases}, f)
print(out, len(cases), 'cases')
