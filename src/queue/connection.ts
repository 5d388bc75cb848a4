// `--queue redis://[user:password@]host[:port][/db]` (rediss:// for TLS) as connection options. Workers and
// `status --watch` keep reconnecting through a Redis restart; one-shot commands (enqueue, status) give up
// after a few tries with an error naming the URL instead of waiting forever.

import type { RedisOptions } from 'bullmq';

export class QueueUrlError extends Error {
  override name = 'QueueUrlError';
}

/** The URL with its password hidden, for messages and logs. */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/** Redis connection options of `url` (BullMQ hands them to ioredis); `persistent`: retry the connection forever (workers), otherwise fail within a second. */
export function redisOptions(url: string, persistent: boolean): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new QueueUrlError(`--queue '${url}' is not a URL: expected redis://host:port[/db]`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new QueueUrlError(`--queue '${shownUrl(url)}': expected redis:// or rediss://, not ${u.protocol}//`);
  if (!u.hostname) throw new QueueUrlError(`--queue '${shownUrl(url)}' names no host`);
  const path = u.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0) throw new QueueUrlError(`--queue '${shownUrl(url)}': the database after the host must be an integer >= 0, not '${path}'`);
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port ? Number(u.port) : 6379,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ's blocking commands need maxRetriesPerRequest null; it waits for the connection instead.
    maxRetriesPerRequest: null,
    ...(persistent ? {} : { connectTimeout: 5000, retryStrategy: (attempt: number) => (attempt > 3 ? null : 200) }),
  };
}

/** `err` as a message that says which Redis could not be reached. */
export function redisError(url: string, err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  return /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|Connection is closed|connect/i.test(message)
    ? new Error(`cannot reach Redis at ${shownUrl(url)}: ${message} (is redis-server running there?)`)
    : err instanceof Error ? err : new Error(message);
}
