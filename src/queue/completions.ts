import type { Redis } from 'ioredis';

/**
 * Lets a request wait for a message's result (`?wait=MS`). The worker side announces each
 * completed id (Redis pub/sub from the store's complete script, or a direct call in embedded
 * mode); waiters register before checking the store, so a result that lands in between is not missed.
 */
export class Completions {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** @param announce tells the worker side that `id` is awaited (Redis: publish its completion) */
  constructor(private readonly announce?: (id: string, ms: number) => Promise<void>) {}

  notify(id: string): void {
    const set = this.waiters.get(id);
    if (!set) return;
    this.waiters.delete(id);
    for (const wake of set) wake();
  }

  /** Resolves true as soon as `id` completes (or `isDone()` says it already has), false after `ms`. */
  async wait(id: string, ms: number, isDone: () => Promise<boolean>): Promise<boolean> {
    let wake!: () => void;
    let timer: NodeJS.Timeout | undefined;
    const completed = new Promise<boolean>((resolve) => {
      wake = () => resolve(true);
      timer = setTimeout(() => resolve(false), ms);
    });
    let set = this.waiters.get(id);
    if (!set) this.waiters.set(id, (set = new Set()));
    set.add(wake);
    try {
      await this.announce?.(id, ms);
      if (await isDone()) return true;
      return await completed;
    } finally {
      clearTimeout(timer);
      const s = this.waiters.get(id);
      s?.delete(wake);
      if (s && !s.size) this.waiters.delete(id);
    }
  }
}

/** Feeds `completions` from the store's pub/sub channel; `subscriber` is a dedicated connection. */
export async function subscribeCompletions(subscriber: Redis, channel: string, completions: Completions): Promise<void> {
  subscriber.on('message', (ch: string, id: string) => {
    if (ch === channel) completions.notify(id);
  });
  await subscriber.subscribe(channel);
}
