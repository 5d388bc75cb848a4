// The command-line flags both servers (`serve`, `web`) share: timeouts, connection limit, Host check.

import type { Command } from 'commander';
import { positiveInt } from '../util/cli_args.ts';
import { HTTP_DEFAULTS, type HttpLimits } from './http_service.ts';

export interface HttpFlags {
  headerTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  maxConnections: number;
  allowedHosts?: string[];
}

const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter((s) => s !== '');

export function addHttpOptions(cmd: Command): Command {
  return cmd
    .option('--header-timeout <ms>', 'most time to receive the request headers (408 after)', positiveInt, HTTP_DEFAULTS.headersTimeoutMs)
    .option('--request-timeout <ms>', 'most time to receive a whole request, body included (408 after)', positiveInt, HTTP_DEFAULTS.requestTimeoutMs)
    .option('--keep-alive-timeout <ms>', 'close idle keep-alive connections after this', positiveInt, HTTP_DEFAULTS.keepAliveTimeoutMs)
    .option('--max-connections <n>', 'refuse connections beyond this many open ones', positiveInt, HTTP_DEFAULTS.maxConnections)
    .option('--allowed-hosts <names>', 'Host header names to answer besides IP addresses, localhost and the listening host, comma-separated (.example.com includes subdomains; "any" turns the check off)', list);
}

export function httpLimits(f: HttpFlags): HttpLimits {
  return {
    headersTimeoutMs: f.headerTimeout,
    requestTimeoutMs: f.requestTimeout,
    keepAliveTimeoutMs: f.keepAliveTimeout,
    maxConnections: f.maxConnections,
    ...(f.allowedHosts === undefined ? {} : { allowedHosts: f.allowedHosts.includes('any') ? 'any' : f.allowedHosts }),
  };
}
