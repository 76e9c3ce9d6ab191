/**
 * The Python value kinds that `ast.literal_eval` can produce (spec §1.1), as they come out
 * of {@link parsePythonLiteral}. `str`, `int`/`float`, `bool` and `None` map to JavaScript
 * strings, numbers, booleans and `null`; `list` to arrays; `dict` to `Map`. The kinds with
 * no JavaScript twin get a small class so that, e.g., a tuple stays distinguishable from a
 * list until the config layer turns it into a plain (marked) array.
 */

/** Any value a Python literal evaluates to. */
export type PyValue =
  | string
  | number
  | boolean
  | null
  | PyValue[]
  | PyTuple
  | PySet
  | PyBytes
  | PyComplex
  | PyDict;

/** A Python `dict` literal (keys are hashable values, insertion order kept). */
export type PyDict = Map<PyValue, PyValue>;

/** A Python `tuple`: `()`, `(1,)`, `(512, 512)`, or a bare `1, 2`. */
export class PyTuple {
  /** The tuple's items in order. */
  readonly items: PyValue[];
  constructor(items: PyValue[]) {
    this.items = items;
  }
}

/** A Python `set` literal: `{1, 2}` or `set()`. */
export class PySet {
  /** The set's items in source order. */
  readonly items: PyValue[];
  constructor(items: PyValue[]) {
    this.items = items;
  }
}

/** A Python `bytes` literal (`b'…'`); `text` holds one char per byte (code points 0–255). */
export class PyBytes {
  /** The bytes as a latin-1 string. */
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** A Python `complex` literal such as `2j` or `1-2j`. */
export class PyComplex {
  /** Real part. */
  readonly real: number;
  /** Imaginary part. */
  readonly imag: number;
  constructor(real: number, imag: number) {
    this.real = real;
    this.imag = imag;
  }
}
