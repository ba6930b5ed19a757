// Bars drawn with Unicode block characters: the job summary cannot style an element (GitHub strips
// `style` and `class`), and the same text reads in a terminal. Eighth blocks give a bar eight
// steps per character.

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** How many characters a full bar takes. */
export const BAR_WIDTH = 8;

/** "12%", "<1%" for a share above zero that rounds to nothing, "100%". */
export function percent(part: number, whole: number): string {
  if (!(whole > 0) || !(part >= 0)) return '';
  const share = Math.min(part / whole, 1);
  if (share > 0 && share < 0.005) return '<1%';
  return `${Math.round(share * 100)}%`;
}

/**
 * `part` of `whole` as a bar of up to `width` characters and its percentage: "████▌ 57%". A share
 * above zero always shows at least a sliver; nothing is drawn for zero or an unknown whole.
 */
export function shareBar(part: number, whole: number, width = BAR_WIDTH): string {
  const words = percent(part, whole);
  if (!words) return '';
  const eighths = Math.round((Math.min(part / whole, 1)) * width * 8);
  const bar = '█'.repeat(Math.floor(eighths / 8)) + (EIGHTHS[eighths % 8] ?? '');
  return `${bar || (part > 0 ? '▏' : '')} ${words}`.trim();
}
