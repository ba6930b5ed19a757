// Progress lines for long layer downloads, written as plain log lines (GitHub's log is not a
// TTY, so no carriage returns): every interval, one line per layer that has been running for at
// least that long, with how far it is and how fast it goes.

import type { Logger } from '../log.js';
import { humanSize } from '../model/units.js';

export interface Meter {
  /** Compressed bytes read so far. */
  readonly bytes: number;
  add(n: number): void;
  stop(): void;
}

export class Progress {
  private readonly active = new Set<{ label: string; size: number; started: number; bytes: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  start(label: string, size: number): Meter {
    const entry = { label, size, started: Date.now(), bytes: 0 };
    this.active.add(entry);
    this.timer ??= setInterval(() => this.tick(), this.intervalMs).unref();
    return {
      get bytes() {
        return entry.bytes;
      },
      add: (n) => {
        entry.bytes += n;
      },
      stop: () => {
        this.active.delete(entry);
        if (this.active.size === 0) this.close();
      },
    };
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const now = Date.now();
    for (const e of this.active) {
      const elapsed = now - e.started;
      if (elapsed < this.intervalMs) continue;
      const percent = e.size > 0 ? Math.floor((e.bytes / e.size) * 100) : 100;
      const speed = ((e.bytes / 1e6) / (elapsed / 1000)).toFixed(1);
      this.logger.info(`${e.label}: ${humanSize(e.bytes)} of ${humanSize(e.size)} (${percent}%), ${speed} MB/s`);
    }
  }
}
