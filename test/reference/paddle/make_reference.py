#!/usr/bin/env python3
"""Writes the pickle fixtures and reference facts for test/paddle with Debian's python3-numpy.

- small.p2.pdparams / small.p5.pdparams: the same dict {name: numpy array} pickled with
  protocol 2 (what Paddle 1.8 fluid.save writes: byte strings go through _codecs.encode)
  and protocol 5 (numpy's _frombuffer + in-band bytearray buffers), plus one value that is
  not an array (skipped by the reader).
- misc.p2.pickle / misc.p4.pickle: a plain structure (floats, big and negative ints, nested
  lists and tuples, None/True/False, text, bytes, an OrderedDict, more than 256 memoised
  objects referenced twice) that exercises the rest of the pickle machine; its JSON form is
  reference.json's "misc".
- reference.json: dtype, shape and values of every array of small.*, and for the real
  PaddleScience best_model.pdparams (shared testdata) its array names, shapes, dtypes,
  first values and sums, computed here by Python's own pickle and numpy.
Run: /usr/bin/python3 test/reference/paddle/make_reference.py
"""
import json
import os
import pickle

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
shared = os.path.join(here, '..', '..', '..', '..', 'shared', 'testdata', 'paddle')

arrays = {
    'conv1_weights': (np.arange(2 * 3 * 3 * 3, dtype=np.float32).reshape(2, 3, 3, 3) - 20.5) / 7.0,
    'bn/mean': np.array([0.25, -1.5, 3.0e-8], dtype=np.float64),
    'step': np.array([7, -9000000000, 2 ** 40], dtype=np.int64),
    'mask': np.array([[True, False], [False, True]]),
    'half': np.array([1.0, -2.5, 65504.0], dtype=np.float16),
    'bytes': np.arange(300, dtype=np.uint8).astype(np.uint8)[:300].reshape(3, 100),
    'empty': np.zeros((0, 4), dtype=np.float32),
    'scalar0d': np.array(3.5, dtype=np.float32),
}
content = dict(arrays)
content['StructuredToParameterName@@'] = {'conv1_weights': 'conv1.w_0'}

for proto in (2, 5):
    with open(os.path.join(here, f'small.p{proto}.pdparams'), 'wb') as f:
        pickle.dump(content, f, protocol=proto)


def describe(a):
    flat = a.reshape(-1)
    if a.dtype == np.float16:
        values = [int(v) for v in flat.view(np.uint16)]
    elif a.dtype == np.bool_:
        values = [int(v) for v in flat]
    elif a.dtype == np.int64:
        values = [str(int(v)) for v in flat]
    else:
        values = [v.item() for v in flat]
    return {'dtype': a.dtype.str[1:], 'shape': list(a.shape), 'values': values}


ref = {'small': {k: describe(v) for k, v in arrays.items()}}

with open(os.path.join(shared, 'v2-pickle-paddlescience-mlp', 'best_model.pdparams'), 'rb') as f:
    real = pickle.load(f)
ref['best_model'] = {
    k: {
        'dtype': v.dtype.str,
        'shape': list(v.shape),
        'first': [float(x) for x in v.reshape(-1)[:3]],
        'sum': float(v.astype(np.float64).sum()),
    }
    for k, v in real.items()
    if isinstance(v, np.ndarray)
}
ref['best_model_non_arrays'] = [k for k, v in real.items() if not isinstance(v, np.ndarray)]

import collections  # noqa: E402

words = [f'w{i}' for i in range(300)]
misc = collections.OrderedDict()
misc['floats'] = [1.5, -0.0, 1e300, 2.5e-320]
misc['ints'] = [0, 255, 256, 65535, 65536, -1, -2147483648, 2147483647, 2 ** 40, -(2 ** 40), 2 ** 70]
misc['nested'] = (None, True, False, ('a', ('b',)), [])
misc['text'] = 'Grüße/ü'
misc['bytes'] = b'\x00\x01\xfe\xff'
misc['words'] = words
misc['again'] = words  # the same list object: a memo reference
misc['many'] = list(words)  # the same string objects again: BINGET / LONG_BINGET
for proto in (2, 4):
    with open(os.path.join(here, f'misc.p{proto}.pickle'), 'wb') as f:
        pickle.dump(misc, f, protocol=proto)


def to_json(v):
    if isinstance(v, dict):
        return {'dict': [[to_json(k), to_json(x)] for k, x in v.items()]}
    if isinstance(v, tuple):
        return {'tuple': [to_json(x) for x in v]}
    if isinstance(v, list):
        return [to_json(x) for x in v]
    if isinstance(v, bytes):
        return {'bytes': list(v)}
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return {'int': str(v)}
    if isinstance(v, float):
        return {'float': repr(v)}
    raise TypeError(type(v))


ref['misc'] = to_json(misc)

with open(os.path.join(here, 'reference.json'), 'w') as f:
    json.dump(ref, f, indent=1)
    f.write('\n')
