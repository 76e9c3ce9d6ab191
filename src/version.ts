/** pdseg's version, from package.json (the producer version of every model pdseg writes). */
import { readFileSync } from 'node:fs';

/** pdseg's version, from package.json. */
export function pdsegVersion(): string {
  const url = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}
