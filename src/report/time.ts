// Times as a reviewer reads them: "2026-11-29 12:54 UTC, 3 h ago" and "9 s" between two builds.
// Config `created` fields carry nanoseconds and any offset; nothing finer than a second (a minute
// for dates) reaches the page. "Ago" is measured from the run's time, which the caller passes in,
// so the same report always renders the same words.

/** Milliseconds since the epoch of an RFC 3339 time, or undefined when it is missing or unreadable. */
export function timeOf(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  // Date.parse reads at most milliseconds; a longer fraction (Go writes nanoseconds) is cut to three digits.
  const ms = Date.parse(iso.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(ms) ? ms : undefined;
}

/** "2026-11-29 12:54 UTC"; empty when the time cannot be read. */
export function utcMinute(iso: string | undefined): string {
  const ms = timeOf(iso);
  if (ms === undefined) return '';
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "2026-11-29 12:54:03 UTC": for build times, where seconds tell two builds apart. */
export function utcSecond(iso: string | undefined): string {
  const ms = timeOf(iso);
  if (ms === undefined) return '';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A span in the largest whole unit that fits: "0 s", "9 s", "4 min", "3 h", "12 days". */
export function span(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)} h`;
  const days = Math.floor(s / 86400);
  return `${days} days`;
}

/** "3 h ago" relative to `now`; "in the future" for a time after it (a skewed clock); empty when unreadable. */
export function ago(iso: string | undefined, now: Date): string {
  const ms = timeOf(iso);
  if (ms === undefined) return '';
  const delta = now.getTime() - ms;
  if (delta < 0) return 'after this run started (clock skew)';
  return delta < 1000 ? 'just now' : `${span(delta)} ago`;
}

/** "2026-11-29 12:54 UTC, 3 h ago"; empty when the time cannot be read. */
export function dateAgo(iso: string | undefined, now: Date): string {
  const date = utcMinute(iso);
  return date ? `${date}, ${ago(iso, now)}` : '';
}
