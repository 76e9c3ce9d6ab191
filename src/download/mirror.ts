/**
 * `--mirror URL` / `PDSEG_MIRROR` (DESIGN.md command table): the scheme and host of every
 * download URL are replaced and the path is kept, so a mirror or an offline cache only has
 * to serve PaddleSeg's paths (`/models/pspnet50_cityscapes.tgz`).
 */
import { PdsegError } from '../errors.js';

/**
 * Rewrites `url` onto `mirror`. A mirror with a path (`http://cache/paddle/`) is a prefix:
 * `https://host/models/a.tgz` → `http://cache/paddle/models/a.tgz`. Query and fragment of
 * the mirror are not allowed. Throws `USAGE` for a mirror that is not an http(s) URL.
 */
export function applyMirror(url: string, mirror: string | undefined): string {
  if (mirror === undefined || mirror === '') return url;
  let m: URL;
  try {
    m = new URL(mirror);
  } catch {
    throw new PdsegError(
      'USAGE',
      `--mirror '${mirror}' is not a URL; give e.g. --mirror http://127.0.0.1:8000`,
    );
  }
  if ((m.protocol !== 'http:' && m.protocol !== 'https:') || m.search !== '' || m.hash !== '') {
    throw new PdsegError(
      'USAGE',
      `--mirror '${mirror}' must be an http:// or https:// URL without query or fragment, e.g. http://127.0.0.1:8000`,
    );
  }
  const source = new URL(url);
  const prefix = m.pathname.replace(/\/+$/, '');
  return `${m.protocol}//${m.host}${prefix}${source.pathname}${source.search}`;
}
