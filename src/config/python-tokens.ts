/**
 * Tokenizer for the subset of Python's lexical grammar that literals use (spec §1.1):
 * numbers, strings (all quote forms, prefixes, escapes), names, the punctuation
 * `( ) [ ] { } , : + -`, comments, and line joining inside brackets. Anything else is a
 * {@link NotALiteral} error, which the caller turns into "keep the raw string".
 */
import { PdsegError } from '../errors.js';
import { PyBytes, PyComplex } from './py-values.js';

/** One token. `value` is the evaluated number or string for `number`/`string` tokens. */
export interface Token {
  kind: 'number' | 'string' | 'name' | 'op' | 'end';
  text: string;
  value?: number | PyComplex | string | PyBytes;
}

/** Raised for text that Python would reject with `SyntaxError`/`ValueError`. */
export class NotALiteral extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'NotALiteral';
  }
}

const DIGITS = '[0-9](?:_?[0-9])*';
// Anchored patterns, matched against `src.slice(i)` (no shared `lastIndex` state).
const FLOAT_RE = new RegExp(
  `^(?:(?:(?:${DIGITS})?\\.${DIGITS}|${DIGITS}\\.)(?:[eE][+-]?${DIGITS})?|${DIGITS}[eE][+-]?${DIGITS})`,
);
const IMAG_DIGITS_RE = new RegExp(`^${DIGITS}[jJ]`);
const INT_RE = /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|[1-9](?:_?[0-9])*|0+(?:_?0)*)/;
const NAME_RE = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*/;
const STRING_PREFIX = /^(?:[rR][bB]?|[bB][rR]?|[uU])$/;
const OPS = new Set(['(', ')', '[', ']', '{', '}', ',', ':', '+', '-']);
const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** Splits `src` into tokens; the last token is always `end`. */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === ' ' || c === '\t' || c === '\f' || c === '\r') {
      i++;
    } else if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '\\' && (src[i + 1] === '\n' || (src[i + 1] === '\r' && src[i + 2] === '\n'))) {
      i += src[i + 1] === '\n' ? 2 : 3;
    } else if (c === '\n') {
      // A newline outside brackets ends the expression: only blank lines/comments may follow.
      if (depth === 0 && tokens.length > 0 && /[^\s]/.test(src.slice(i).replace(/#[^\n]*/g, ''))) {
        throw new NotALiteral('a literal must be one expression');
      }
      i++;
    } else if (src.startsWith('...', i)) {
      // `ast.literal_eval('...')` raises TypeError (not swallowed by SegConfig), so do we.
      throw new TypeError('Ellipsis (...) cannot be a config value');
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      i = readNumber(src, i, tokens);
    } else if (c === "'" || c === '"') {
      i = readString(src, i, '', tokens);
    } else if (NAME_RE.test(c)) {
      const name = (NAME_RE.exec(src.slice(i)) as RegExpExecArray)[0];
      const after = src[i + name.length];
      if ((after === "'" || after === '"') && STRING_PREFIX.test(name)) {
        i = readString(src, i + name.length, name.toLowerCase(), tokens);
      } else {
        tokens.push({ kind: 'name', text: name });
        i += name.length;
      }
    } else if (OPS.has(c)) {
      if (c === '(' || c === '[' || c === '{') depth++;
      if (c === ')' || c === ']' || c === '}') depth--;
      if (depth < 0) throw new NotALiteral(`unmatched '${c}'`);
      tokens.push({ kind: 'op', text: c });
      i++;
    } else {
      throw new NotALiteral(`invalid character '${c}'`);
    }
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

function readNumber(src: string, start: number, tokens: Token[]): number {
  let text: string | undefined;
  let value: number | PyComplex | undefined;
  const rest = src.slice(start);
  const float = FLOAT_RE.exec(rest);
  const imagDigits = IMAG_DIGITS_RE.exec(rest);
  if (float) {
    text = float[0];
    value = Number(text.replace(/_/g, ''));
    if (/[jJ]/.test(src[start + text.length] ?? '')) {
      text += src[start + text.length];
      value = new PyComplex(0, value);
    }
  } else if (imagDigits) {
    text = imagDigits[0];
    value = new PyComplex(0, Number(text.slice(0, -1).replace(/_/g, '')));
  } else {
    const int = INT_RE.exec(rest);
    if (!int) throw new NotALiteral('invalid number');
    text = int[0];
    const digits = text.replace(/_/g, '');
    const radix = /^0[xX]/.test(digits) ? 16 : /^0[oO]/.test(digits) ? 8 : /^0[bB]/.test(digits) ? 2 : 10;
    value = radix === 10 ? Number(digits) : Number.parseInt(digits.slice(2), radix);
    if (!Number.isSafeInteger(value)) {
      // Python's ints are unbounded; a JS number is exact only up to 2^53, and printing it
      // back would say 1e+26. No PaddleSeg key takes such an integer.
      throw new PdsegError(
        'CONFIG_TYPE',
        `integer ${text} is beyond ±2^53 (${Number.MAX_SAFE_INTEGER}), which pdseg cannot hold exactly; no PaddleSeg config key takes an integer that large`,
      );
    }
  }
  const end = start + text.length;
  // `12abc`, `0b102`, `1_`, `007`: Python reports an invalid literal.
  if (/[A-Za-z0-9_.\u0080-\uffff]/.test(src[end] ?? '')) throw new NotALiteral(`invalid number '${text}…'`);
  tokens.push({ kind: 'number', text, value });
  return end;
}

function readString(src: string, start: number, prefix: string, tokens: Token[]): number {
  const q = src[start] as string;
  const triple = src.startsWith(q.repeat(3), start);
  const quote = triple ? q.repeat(3) : q;
  const raw = prefix.includes('r');
  const bytes = prefix.includes('b');
  let i = start + quote.length;
  let body = '';
  for (;;) {
    if (i >= src.length) throw new NotALiteral('unterminated string literal');
    if (src.startsWith(quote, i)) break;
    const c = src[i] as string;
    if (c === '\n' && !triple) throw new NotALiteral('unterminated string literal');
    if (c === '\\') {
      if (i + 1 >= src.length) throw new NotALiteral('unterminated string literal');
      body += src.slice(i, i + 2);
      i += 2;
    } else {
      body += c;
      i++;
    }
  }
  if (bytes && /[^\x00-\x7f]/.test(body)) throw new NotALiteral('bytes can only contain ASCII characters');
  const text = raw ? body : decodeEscapes(body, bytes);
  tokens.push({
    kind: 'string',
    text: src.slice(start, i + quote.length),
    value: bytes ? new PyBytes(text) : text,
  });
  return i + quote.length;
}

/** Python's escape sequences for non-raw strings; unknown escapes keep their backslash. */
function decodeEscapes(body: string, bytes: boolean): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[i + 1] as string;
    i++;
    if (e === '\n') continue;
    if (e === '\r' && body[i + 1] === '\n') {
      i++;
      continue;
    }
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
    } else if (/[0-7]/.test(e)) {
      const m = /^[0-7]{1,3}/.exec(body.slice(i)) as RegExpExecArray;
      const code = Number.parseInt(m[0], 8);
      out += String.fromCharCode(bytes ? code & 0xff : code);
      i += m[0].length - 1;
    } else if (e === 'x' || (!bytes && (e === 'u' || e === 'U'))) {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) throw new NotALiteral(`truncated \\${e} escape`);
      const code = Number.parseInt(hex, 16);
      if (code > 0x10ffff) throw new NotALiteral(`illegal Unicode character \\${e}${hex}`);
      out += String.fromCodePoint(code);
      i += n;
    } else if (!bytes && e === 'N') {
      throw new NotALiteral('\\N{name} escapes are not supported');
    } else {
      out += `\\${e}`;
    }
  }
  return out;
}
