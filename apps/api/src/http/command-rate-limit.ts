import type { ServerResponse } from 'node:http';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ANONYMOUS, type AuthenticatedRequest } from './actor.decorator.js';

export interface RateLimitOptions {
  /** Commands a client may send per window; 0 turns the limit off. */
  limit: number;
  windowSeconds: number;
}

export const RATE_LIMIT_OPTIONS = Symbol('RATE_LIMIT_OPTIONS');

/** Too many commands from one client in the window: 429 with Retry-After. */
export class TooManyRequests extends Error {
  readonly code = 'TOO_MANY_REQUESTS';
  constructor(
    readonly limit: number,
    readonly windowSeconds: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`At most ${limit} commands per ${windowSeconds} s; retry in ${retryAfterSeconds} s`);
    this.name = 'TooManyRequests';
  }
}

interface Window {
  count: number;
  resetAt: number;
}

/** Forgotten windows are swept once the table holds this many clients. */
const SWEEP_AT = 10_000;

/**
 * Fixed-window counters of commands per client, in this process: the token's subject, or the peer
 * address when authentication is off. (@nestjs/throttler would do this, but it is CommonJS requiring
 * the ESM-only @nestjs/common 12, which Jest on Node 20 cannot load; see SECURITY.md.)
 */
@Injectable()
export class CommandRateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(@Inject(RATE_LIMIT_OPTIONS) readonly options: RateLimitOptions) {}

  /** Counts one command of `client`; what is left of its window, or a TooManyRequests to throw. */
  hit(client: string, now = Date.now()): { remaining: number; resetSeconds: number; refused?: TooManyRequests } {
    const { limit, windowSeconds } = this.options;
    let window = this.windows.get(client);
    if (window === undefined || window.resetAt <= now) {
      if (this.windows.size >= SWEEP_AT) this.sweep(now);
      window = { count: 0, resetAt: now + windowSeconds * 1_000 };
      this.windows.set(client, window);
    }
    window.count += 1;
    const resetSeconds = Math.max(1, Math.ceil((window.resetAt - now) / 1_000));
    const remaining = Math.max(0, limit - window.count);
    if (window.count > limit) return { remaining, resetSeconds, refused: new TooManyRequests(limit, windowSeconds, resetSeconds) };
    return { remaining, resetSeconds };
  }

  private sweep(now: number): void {
    for (const [client, window] of this.windows) if (window.resetAt <= now) this.windows.delete(client);
  }
}

/**
 * On command handlers (`@UseGuards`, so after the global AuthGuard has named the caller): counts the
 * command against its client and refuses it with 429 past the limit. Queries are not limited.
 */
@Injectable()
export class CommandRateLimitGuard implements CanActivate {
  constructor(private readonly limiter: CommandRateLimiter) {}

  canActivate(context: ExecutionContext): boolean {
    const { limit } = this.limiter.options;
    if (limit === 0) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<AuthenticatedRequest>();
    const res = http.getResponse<ServerResponse>();
    const subject = req.user?.subject;
    const client = subject !== undefined && subject !== ANONYMOUS ? `sub:${subject}` : `ip:${req.socket.remoteAddress ?? 'unknown'}`;
    const { remaining, resetSeconds, refused } = this.limiter.hit(client);
    res.setHeader('X-RateLimit-Limit', String(limit));
    res.setHeader('X-RateLimit-Remaining', String(remaining));
    res.setHeader('X-RateLimit-Reset', String(resetSeconds));
    if (refused) throw refused;
    return true;
  }
}
