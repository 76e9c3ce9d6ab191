/**
 * Where `pdseg service upload` sends models (issue 8): `--server`, else `PDSEG_SERVICE_URL`,
 * else `server_url` in `~/.pdseg/config.json` (as VisualDL keeps `~/.visualdl/conf/config.json`),
 * else a server on this machine. The token follows the same order (`--token`,
 * `PDSEG_SERVICE_TOKEN`, `token` in the config file). The home folder comes from `HOME`.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { messageOf, PdsegError } from '../errors.js';

/** The server a client talks to, and where that choice came from (for messages). */
export interface ClientTarget {
  server: string;
  source: '--server' | 'PDSEG_SERVICE_URL' | 'config' | 'default';
  token?: string;
}

/** Server used when nothing is configured: `pdseg service serve` on this machine. */
export const DEFAULT_SERVER = 'http://127.0.0.1:8041';

/** Path of the client's config file for a given home folder. */
export function configPath(home: string): string {
  return join(home, '.pdseg', 'config.json');
}

function readConfig(path: string): { server_url?: unknown; token?: unknown } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new PdsegError('CONFIG_FILE', `cannot read '${path}': ${messageOf(e)}`, { cause: e });
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as { server_url?: unknown; token?: unknown };
  } catch (e) {
    throw new PdsegError(
      'CONFIG_PARSE',
      `'${path}' is not a JSON object (${messageOf(e)}); write {"server_url": "http://host:8041"}`,
      { cause: e },
    );
  }
}

/** Checks that `url` is an http(s) URL and returns it without a trailing slash. */
export function checkServerUrl(url: string, source: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PdsegError(
      'USAGE',
      `server URL '${url}' (from ${source}) is not a URL; write e.g. http://host:8041`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new PdsegError('USAGE', `server URL '${url}' (from ${source}) must start with http:// or https://`);
  }
  return url.replace(/\/+$/, '');
}

/** Resolves the server and token from flags, environment and the config file. */
export function resolveClientTarget(
  flags: { server?: string; token?: string },
  env: NodeJS.ProcessEnv = process.env,
): ClientTarget {
  const home = env.HOME || homedir();
  const path = configPath(home);
  const config = readConfig(path);
  const fromConfig = (key: 'server_url' | 'token'): string | undefined => {
    const v = config[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new PdsegError('CONFIG_TYPE', `'${key}' in '${path}' must be a string`);
    return v;
  };
  const token = flags.token || env.PDSEG_SERVICE_TOKEN || fromConfig('token') || undefined;
  const pick = (): Omit<ClientTarget, 'token'> => {
    if (flags.server) return { server: checkServerUrl(flags.server, '--server'), source: '--server' };
    if (env.PDSEG_SERVICE_URL) {
      return {
        server: checkServerUrl(env.PDSEG_SERVICE_URL, 'PDSEG_SERVICE_URL'),
        source: 'PDSEG_SERVICE_URL',
      };
    }
    const url = fromConfig('server_url');
    if (url) return { server: checkServerUrl(url, path), source: 'config' };
    return { server: DEFAULT_SERVER, source: 'default' };
  };
  return { ...pick(), ...(token ? { token } : {}) };
}
