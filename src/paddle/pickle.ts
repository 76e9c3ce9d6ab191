/**
 * A restricted Python pickle reader: the subset of the pickle machine (protocols 2–5) that
 * a `model.pdparams` (spec §9.8, `fluid.save` / `paddle.save`: a dict name → numpy array)
 * needs, and nothing that executes code. A `GLOBAL`/`STACK_GLOBAL` is resolved only through
 * the caller's allowlist (`resolveGlobal`); anything else is a `WEIGHT_FORMAT` error naming
 * the global. `REDUCE`, `NEWOBJ` and `BUILD` call the caller's handlers for allowed globals.
 *
 * Value model: None → `null`, bool → boolean, int → number (bigint beyond 2^53), float →
 * number, str → string, bytes/bytearray → `Uint8Array` (a view into in-memory input) or a
 * {@link FileSpan} (large payloads a file source leaves on disk), list →
 * array, tuple → {@link PyTuple}, dict → `Map`, a protocol-0/1 byte string (`SHORT_BINSTRING`)
 * → string decoded as latin1 (what Python 3 does with `encoding='latin1'`).
 */
import { PdsegError } from '../errors.js';

/** A byte string the source left in the file: its offset and length (see {@link PickleSource.payload}). */
export class FileSpan {
  constructor(
    readonly offset: number,
    readonly length: number,
  ) {}
}

/** Where the pickle's bytes come from: memory, or a file read piecewise. */
export interface PickleSource {
  /** Offset of the next byte. */
  readonly pos: number;
  /**
   * The next `n` bytes (a view valid until the next call), or `undefined` when the input
   * ends first.
   */
  take(n: number): Uint8Array | undefined;
  /**
   * The next `n` bytes of a bytes/bytearray payload: a view or copy, or a {@link FileSpan}
   * when the source prefers to leave large payloads in the file. `undefined` at the end.
   */
  payload(n: number): Uint8Array | FileSpan | undefined;
  /** The bytes up to (not including) the next newline, consuming the newline; `undefined` when none. */
  line(): Uint8Array | undefined;
}

/** A {@link PickleSource} over bytes in memory; payloads are views (no copies). */
export class BufferSource implements PickleSource {
  pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  take(n: number): Uint8Array | undefined {
    if (this.pos + n > this.bytes.length) return undefined;
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  payload(n: number): Uint8Array | undefined {
    return this.take(n);
  }

  line(): Uint8Array | undefined {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) return undefined;
    const out = this.bytes.subarray(this.pos, end);
    this.pos = end + 1;
    return out;
  }
}

/** A Python tuple. */
export class PyTuple {
  constructor(readonly items: unknown[]) {}
}

/** A reference to an allowed global (a class or function), as the allowlist resolved it. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  /** `module.name`. */
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** What the caller supplies: the allowlist and the semantics of calling allowed globals. */
export interface PickleHooks {
  /** True when `module.name` may be referenced. */
  allowGlobal(module: string, name: string): boolean;
  /** `REDUCE` / `NEWOBJ`: calls the allowed global `fn` with `args`. */
  call(fn: PyGlobal, args: unknown[]): unknown;
  /** `BUILD`: applies `state` to `obj` and returns the object. */
  build(obj: unknown, state: unknown): unknown;
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/**
 * Runs the pickle in `bytes` and returns the top-of-stack value at `STOP`. `source` names
 * the file in errors.
 */
export function unpickle(input: Uint8Array | PickleSource, hooks: PickleHooks, source: string): unknown {
  const src = input instanceof Uint8Array ? new BufferSource(input) : input;
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();

  const fail = (reason: string): never => {
    throw new PdsegError(
      'WEIGHT_FORMAT',
      `"${source}": ${reason} (pickle byte ${src.pos}). pdseg reads only pickles of numpy arrays as fluid.save/paddle.save write them.`,
    );
  };
  const truncated = (): never => fail('the pickle ends early (truncated file)');
  const take = (n: number): Uint8Array => src.take(n) ?? truncated();
  const view = (n: number): DataView => {
    const b = take(n);
    return new DataView(b.buffer, b.byteOffset, n);
  };
  const u8 = (): number => take(1)[0] as number;
  const u32 = (): number => view(4).getUint32(0, true);
  const u64 = (): number => {
    const v = view(8).getBigUint64(0, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`length ${v} is too large`);
    return Number(v);
  };
  const payload = (n: number): Uint8Array | FileSpan => src.payload(n) ?? truncated();
  const line = (): string => utf8.decode(src.line() ?? fail('a GLOBAL name is not terminated by a newline'));
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= (marks[marks.length - 1] as number))) {
      fail('stack underflow');
    }
    return stack.pop();
  };
  const popMark = (): unknown[] => {
    const m = marks.pop();
    if (m === undefined) fail('no MARK on the stack');
    return stack.splice(m as number);
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const global = (module: string, name: string): PyGlobal => {
    if (!hooks.allowGlobal(module, name)) {
      fail(
        `refuses the Python global "${module}.${name}" (only numpy array globals are allowed; this file may run code when loaded in Python)`,
      );
    }
    return new PyGlobal(module, name);
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (!(target instanceof Map)) fail('SETITEM(S) on something that is not a dict');
    for (let i = 0; i + 1 < items.length; i += 2)
      (target as Map<unknown, unknown>).set(items[i], items[i + 1]);
  };
  const long = (b: Uint8Array): number | bigint => {
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] as number);
    if (b.length > 0) v = BigInt.asIntN(b.length * 8, v);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('pickle protocol newer than 5');
        break;
      case 0x95: // FRAME: a length hint only
        u64();
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) fail(`STOP with ${stack.length} values on the stack`);
        return stack[0];
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(new PyTuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(new PyTuple([pop(), b, c]));
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        const list = top();
        if (!Array.isArray(list)) fail('APPEND to something that is not a list');
        (list as unknown[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) fail('APPENDS to something that is not a list');
        for (const v of items) (list as unknown[]).push(v);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(view(2).getUint16(0, true));
        break;
      case 0x4a: // BININT
        stack.push(view(4).getInt32(0, true));
        break;
      case 0x8a: // LONG1
        stack.push(long(take(u8())));
        break;
      case 0x8b: // LONG4
        stack.push(long(take(u32())));
        break;
      case 0x47: // BINFLOAT (big-endian)
        stack.push(view(8).getFloat64(0, false));
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8.decode(take(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8.decode(take(u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8.decode(take(u64())));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1.decode(take(u8())));
        break;
      case 0x54: // BINSTRING
        stack.push(latin1.decode(take(u32())));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(payload(u8()));
        break;
      case 0x42: // BINBYTES
        stack.push(payload(u32()));
        break;
      case 0x8e: // BINBYTES8
        stack.push(payload(u64()));
        break;
      case 0x96: // BYTEARRAY8
        stack.push(payload(u64()));
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x52: // REDUCE
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const fn = pop();
        if (!(fn instanceof PyGlobal)) fail('REDUCE/NEWOBJ on something that is not an allowed global');
        if (!(args instanceof PyTuple)) fail('REDUCE/NEWOBJ arguments are not a tuple');
        stack.push(hooks.call(fn as PyGlobal, (args as PyTuple).items));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = pop();
        stack.push(hooks.build(obj, state));
        break;
      }
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const i = op === 0x68 ? u8() : u32();
        if (!memo.has(i)) fail(`memo entry ${i} is not set`);
        stack.push(memo.get(i));
        break;
      }
      case 0x30: // POP
        if (marks.length > 0 && stack.length === marks[marks.length - 1]) marks.pop();
        else pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}
