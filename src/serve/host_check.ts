// Which Host headers a server answers. A DNS-rebinding page (evil.example re-resolved to 127.0.0.1)
// sends its own name as Host; refusing names the server was not told about keeps such a page from
// reading its answers. Accepted without configuration: IP literals, localhost and *.localhost (browsers
// always resolve those to loopback), and the name the server was bound to.

import { isIP } from 'node:net';

/** The host of a Host header value: lowercased, without port or trailing dot; undefined when malformed. */
export function hostName(header: string): string | undefined {
  const m = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9._-]+))(?::\d{1,5})?$/i.exec(header);
  if (!m) return undefined;
  if (m[1] !== undefined) return isIP(m[1]) === 6 ? m[1].toLowerCase() : undefined;
  const name = m[2]!.toLowerCase().replace(/\.$/, '');
  return name === '' ? undefined : name;
}

export type HostVerdict = 'ok' | 'malformed' | 'refused';

export class HostCheck {
  private readonly names = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly any: boolean;

  /** `allowed`: extra names (`.example.com` also admits its subdomains), or 'any' to turn the check off. */
  constructor(allowed: readonly string[] | 'any' = []) {
    this.any = allowed === 'any';
    if (allowed !== 'any') for (const name of allowed) this.allow(name);
  }

  /** Admits one more name (the server adds the name it was bound to). */
  allow(name: string): void {
    const n = name.toLowerCase().replace(/\.$/, '');
    if (n.startsWith('.')) this.suffixes.push(n);
    else if (n !== '') this.names.add(n);
  }

  /** A request without Host (HTTP/1.0; Node refuses HTTP/1.1 without one) is no browser's and passes. */
  verdict(header: string | undefined): HostVerdict {
    if (this.any || header === undefined) return 'ok';
    const name = hostName(header);
    if (name === undefined) return 'malformed';
    if (isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost') || this.names.has(name)) return 'ok';
    return this.suffixes.some((s) => name.endsWith(s) || name === s.slice(1)) ? 'ok' : 'refused';
  }
}
