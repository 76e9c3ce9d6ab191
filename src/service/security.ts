/**
 * The service's security decisions (issue 8): a server binds loopback unless told
 * otherwise, and a server reachable from other machines must require a token for uploads.
 * Tokens are compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { PdsegError } from '../errors.js';

/** True when `host` names only this machine: `localhost`, 127.0.0.0/8, `::1`, `::ffff:127.x`. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) {
    if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return mapped ? mapped[1]!.startsWith('127.') : false;
  }
  return false;
}

/**
 * Refuses a configuration that would accept anonymous uploads from other machines:
 * a non-loopback `host` (including `0.0.0.0` and `::`) needs a non-empty `token`.
 */
export function checkExposure(host: string, token: string | undefined): void {
  if (isLoopbackHost(host)) return;
  if (!token) {
    throw new PdsegError(
      'USAGE',
      `refusing to serve on '${host}' without a token: anyone who can reach it could upload; ` +
        `pass --token <secret> (clients send it as 'Authorization: Bearer <secret>') or use --host 127.0.0.1`,
    );
  }
  if (token.length < 8) {
    throw new PdsegError(
      'USAGE',
      `--token is ${token.length} characters long; use at least 8 random characters`,
    );
  }
}

/** True when the `Authorization` header carries `Bearer <token>`; constant-time comparison. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m[1]!), digest(token));
}
