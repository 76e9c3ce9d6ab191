/**
 * Python's `str()` of the numbers, lists and tuples that `deploy.yaml` contains (spec §5.4
 * formats them with `%s`): floats in Python's shortest round-trip form (`0.5`, `1.0`,
 * `1e-05`), ints as digits, tuples as `(512, 512)`, lists as `[0.5, 0.5, 0.5]`.
 */

/** Python `repr(float(x))`: shortest round-trip digits, scientific below 1e-4 or from 1e16. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const text = String(x);
  return text.includes('.') ? text : `${text}.0`;
}

/** Python `str()` of a tuple of ints, e.g. `(512, 512)`. */
export function pyIntTuple(values: readonly number[]): string {
  return values.length === 1 ? `(${values[0]},)` : `(${values.join(', ')})`;
}

/** Python `str()` of a list of floats, e.g. `[0.5, 0.5, 0.5]`; `None` for null. */
export function pyFloatList(values: readonly number[] | null): string {
  if (values === null) return 'None';
  return `[${values.map(pyFloat).join(', ')}]`;
}
