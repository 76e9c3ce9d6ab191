/**
 * A small evaluator of Python literal syntax with the semantics of `ast.literal_eval`
 * (Python 3.11), which PaddleSeg's `SegConfig.__setitem__` applies to every string value
 * (spec §1.1): `"(512, 512)"` → a tuple, `"101"` → 101, `"1e-4"` → 0.0001, `'"10"'` → the
 * string `10`, `'u"x"'` → `x`. Anything that is not a literal (`pspnet`, `./dataset/x/`,
 * `a b`, `12abc`, `|`, ` `, ``) raises, and the caller keeps the raw string.
 *
 * Supported exactly as Python does: ints (decimal, `0x`, `0o`, `0b`, underscores), floats
 * (`1.`, `.5`, `1e-4`), imaginary numbers (`2j`, and `a+bj` / `a-bj` sums), unary `+`/`-`
 * on numbers, strings in every quote form (`'…'`, `"…"`, triple quotes) with prefixes
 * `u`, `r`, `b`, `br`/`rb` and their escapes, implicit concatenation, tuples (`()`, `(1,)`,
 * a bare `1, 2`), lists, dicts, sets, `set()`, `True`, `False`, `None`, comments and
 * leading spaces/tabs (stripped by `literal_eval`). Like Python, unhashable dict keys and
 * `...` raise `TypeError` (not kept). One deliberate gap: `\N{name}` escapes need Unicode's
 * name table, so such a string is kept raw (no PaddleSeg config uses them).
 */
import { PyBytes, PyComplex, PySet, PyTuple, type PyValue } from './py-values.js';
import { NotALiteral, type Token, tokenize } from './python-tokens.js';

export { NotALiteral };

/**
 * Evaluates `text` as a Python literal, like `ast.literal_eval(text)`.
 * @throws {@link NotALiteral} when `text` is not a literal.
 */
export function parsePythonLiteral(text: string): PyValue {
  // literal_eval strips leading spaces and tabs before parsing (Python ≥ 3.10).
  const tokens = tokenize(text.replace(/^[ \t]+/, ''));
  const parser = new Parser(tokens);
  const item = parser.expressionList(true);
  parser.expectEnd();
  return item.value;
}

/**
 * `SegConfig.__setitem__` semantics (spec §1.1): a string is literal-evaluated; when it is
 * not a literal the raw string is kept. Non-string values pass through unchanged.
 */
export function literalOrString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return parsePythonLiteral(value);
  } catch (e) {
    if (e instanceof NotALiteral) return value;
    throw e;
  }
}

/** A parsed expression and whether it is a bare numeric constant (or a signed one). */
interface Item {
  value: PyValue;
  /** Set when the expression is an unsigned number constant (possibly parenthesised). */
  constant: 'real' | 'complex' | null;
  /** Set when the expression is a unary sign applied to a number constant. */
  signed: 'real' | 'complex' | null;
}

function plain(value: PyValue): Item {
  return { value, constant: null, signed: null };
}

/** Recursive-descent parser over the token list; the grammar is `ast.literal_eval`'s. */
class Parser {
  private pos = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos] as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.pos++;
    return t;
  }

  private isOp(text: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === text;
  }

  private expectOp(text: string): void {
    const t = this.next();
    if (t.kind !== 'op' || t.text !== text) throw new NotALiteral(`expected '${text}', found '${t.text}'`);
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.kind !== 'end') throw new NotALiteral(`unexpected '${t.text}'`);
  }

  /** `a, b, …`: a tuple when a comma appears (a bare top-level tuple is valid in eval mode). */
  expressionList(topLevel: boolean): Item {
    const first = this.expression();
    if (!this.isOp(',')) return first;
    const items: PyValue[] = [first.value];
    while (this.isOp(',')) {
      this.next();
      const t = this.peek();
      const closing = t.kind === 'op' && (t.text === ')' || t.text === ']' || t.text === '}');
      if (topLevel ? t.kind === 'end' : closing) break;
      items.push(this.expression().value);
    }
    return plain(new PyTuple(items));
  }

  /** A unary expression, or `real ± imaginary` (the only binary operation literal_eval allows). */
  private expression(): Item {
    const left = this.unary();
    if (!this.isOp('+') && !this.isOp('-')) return left;
    const minus = this.next().text === '-';
    const right = this.unary();
    const leftKind = left.constant ?? left.signed;
    if (leftKind !== 'real' || right.constant !== 'complex') {
      throw new NotALiteral('only `real ± imaginary` sums are literals');
    }
    const imag = (right.value as PyComplex).imag;
    return plain(new PyComplex(left.value as number, minus ? -imag : imag));
  }

  /** One optional `+`/`-` applied to a number constant (`--1` and `-True` are not literals). */
  private unary(): Item {
    if (!this.isOp('+') && !this.isOp('-')) return this.primary();
    const minus = this.next().text === '-';
    const operand = this.primary();
    if (operand.constant === null) throw new NotALiteral('a unary sign applies to a number only');
    if (operand.value instanceof PyComplex) {
      const c = operand.value;
      const value = minus ? new PyComplex(-c.real, -c.imag) : c;
      return { value, constant: null, signed: 'complex' };
    }
    const n = operand.value as number;
    return { value: minus ? -n : n, constant: null, signed: 'real' };
  }

  private primary(): Item {
    const t = this.next();
    switch (t.kind) {
      case 'number':
        return {
          value: t.value as number | PyComplex,
          constant: t.value instanceof PyComplex ? 'complex' : 'real',
          signed: null,
        };
      case 'string':
        return plain(this.stringRun(t));
      case 'name':
        return plain(this.name(t.text));
      case 'op':
        if (t.text === '(') return this.parenthesised();
        if (t.text === '[') return plain(this.list());
        if (t.text === '{') return plain(this.braces());
        throw new NotALiteral(`unexpected '${t.text}'`);
      default:
        throw new NotALiteral('unexpected end of text');
    }
  }

  private name(text: string): PyValue {
    if (text === 'True') return true;
    if (text === 'False') return false;
    if (text === 'None') return null;
    if (text === 'set' && this.isOp('(')) {
      // literal_eval accepts the empty-set call `set()` (Python ≥ 3.9).
      this.next();
      this.expectOp(')');
      return new PySet([]);
    }
    throw new NotALiteral(`name '${text}' is not a literal`);
  }

  /** Adjacent string literals concatenate; str and bytes may not be mixed. */
  private stringRun(first: Token): string | PyBytes {
    const bytes = first.value instanceof PyBytes;
    let text = first.value instanceof PyBytes ? first.value.text : (first.value as string);
    while (this.peek().kind === 'string') {
      const t = this.next();
      if (t.value instanceof PyBytes !== bytes)
        throw new NotALiteral('cannot mix bytes and nonbytes literals');
      text += t.value instanceof PyBytes ? t.value.text : (t.value as string);
    }
    return bytes ? new PyBytes(text) : text;
  }

  /** `()` is the empty tuple; `(x)` is x itself (a constant stays a constant); `(x,)` a tuple. */
  private parenthesised(): Item {
    if (this.isOp(')')) {
      this.next();
      return plain(new PyTuple([]));
    }
    const item = this.expressionList(false);
    this.expectOp(')');
    return item;
  }

  private list(): PyValue[] {
    const items: PyValue[] = [];
    while (!this.isOp(']')) {
      items.push(this.expression().value);
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expectOp(']');
    return items;
  }

  /** `{}` is an empty dict; `{k: v, …}` a dict; `{a, …}` a set. */
  private braces(): PyValue {
    if (this.isOp('}')) {
      this.next();
      return new Map<PyValue, PyValue>();
    }
    const first = this.expression().value;
    if (this.isOp(':')) {
      const map = new Map<PyValue, PyValue>();
      let key = first;
      for (;;) {
        this.expectOp(':');
        map.set(hashable(key), this.expression().value);
        if (!this.isOp(',')) break;
        this.next();
        if (this.isOp('}')) break;
        key = this.expression().value;
      }
      this.expectOp('}');
      return map;
    }
    const items: PyValue[] = [hashable(first)];
    while (this.isOp(',')) {
      this.next();
      if (this.isOp('}')) break;
      items.push(hashable(this.expression().value));
    }
    this.expectOp('}');
    return new PySet(items);
  }
}

/**
 * Dict keys and set items must be hashable. Python raises `TypeError` here, which
 * `SegConfig.__setitem__` does not swallow, so this is not "keep the raw string".
 */
function hashable(v: PyValue): PyValue {
  if (Array.isArray(v)) throw new TypeError("unhashable type: 'list'");
  if (v instanceof Map) throw new TypeError("unhashable type: 'dict'");
  if (v instanceof PySet) throw new TypeError("unhashable type: 'set'");
  if (v instanceof PyTuple) for (const item of v.items) hashable(item);
  return v;
}
