// The few statistics the bench prints: medians of paired runs with their range beside them, and
// the run-time of each part of a bench run, so the README can say what a full run costs.

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** `median (min..max)` with `digits` decimals, or `n/a` when nothing was measured. */
export function spread(values: number[], digits: number, unit = ''): string {
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) return 'n/a';
  const f = (v: number) => v.toFixed(digits);
  return `${f(median(values))}${unit} (${f(Math.min(...values))}..${f(Math.max(...values))})`;
}

/** Wall-clock time of each part of a run, printed at the end. */
export class PartClock {
  private readonly parts: Array<{ name: string; seconds: number }> = [];
  private readonly start = process.hrtime.bigint();

  async time<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const started = process.hrtime.bigint();
    try {
      return await fn();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.parts.push({ name, seconds });
      process.stderr.write(`[bench] ${name}: ${seconds.toFixed(0)} s\n`);
    }
  }

  summary(): string {
    const total = Number(process.hrtime.bigint() - this.start) / 1e9;
    return [...this.parts.map((p) => `  ${p.name.padEnd(52)} ${formatDuration(p.seconds).padStart(10)}`), `  ${'whole run'.padEnd(52)} ${formatDuration(total).padStart(10)}`].join('\n');
  }
}

export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${seconds.toFixed(0)} s`;
  return `${Math.floor(seconds / 60)} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;
}
