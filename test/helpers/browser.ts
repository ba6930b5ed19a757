// A job summary as GitHub shows it: our HTML lines through a Markdown renderer that keeps raw
// HTML (markdown-it, html: true), inside GitHub's stylesheet (github-markdown-css), in a pane
// 930 px wide, laid out by headless Chromium (Debian's `chromium`, installed by
// scripts/ensure-services.sh). A script in the page measures the layout and writes the numbers
// into the DOM, read back with --dump-dom; --screenshot takes the picture.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import MarkdownIt from 'markdown-it';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** GitHub's summary pane is about this wide. */
export const PANE_WIDTH = 930;

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--hide-scrollbars', '--force-device-scale-factor=1'];

export interface Box {
  tag: string;
  text: string;
  width: number;
  bottom: number;
  right: number;
}

export interface Layout {
  paneWidth: number;
  /** The document's scroll width: more than the viewport means the page scrolls sideways. */
  pageWidth: number;
  height: number;
  heading?: Box;
  /** The element right after the first heading: the one-sentence proof. */
  proof?: Box;
  /** Elements, outside any scrolling box, that reach past the pane. */
  wide: Box[];
  /** Tables that scroll sideways inside the pane (github-markdown-css makes tables scroll boxes). */
  scrolling: Box[];
  /** The pane's text as a reader sees it. */
  text: string;
}

export interface Measured {
  /** Collapsed sections closed, as the page opens. */
  closed: Layout;
  /** Every collapsed section opened. */
  open: Layout;
}

/** The page: the summary rendered as GitHub renders Markdown with HTML, in GitHub's stylesheet. */
export function summaryPage(summary: string, measure: boolean): string {
  const body = new MarkdownIt({ html: true, linkify: true }).render(summary);
  const css = readFileSync(require.resolve('github-markdown-css/github-markdown-light.css'), 'utf8');
  const pane = `body{margin:0;background:#fff}.markdown-body{box-sizing:border-box;width:${PANE_WIDTH}px;padding:16px 24px}`;
  return `<!doctype html><html><head><meta charset="utf-8"><style>${css}</style><style>${pane}</style></head><body><article id="pane" class="markdown-body">${body}</article>${measure ? `<script>${MEASURE}</script>` : ''}</body></html>`;
}

// Runs in the page: measures the closed and the opened layout, writes them base64-encoded into the DOM.
const MEASURE = `(() => {
  const pane = document.getElementById('pane');
  const box = (el, whole) => { const r = el.getBoundingClientRect(); const text = el.innerText || el.textContent || ''; return { tag: el.tagName.toLowerCase(), text: whole ? text : text.slice(0, 120), width: Math.round(r.width), bottom: Math.round(r.bottom), right: Math.round(r.right) }; };
  const scrolls = (el) => /(auto|scroll)/.test(getComputedStyle(el).overflowX);
  const inScroller = (el) => { for (let a = el.parentElement; a && a !== pane; a = a.parentElement) if (scrolls(a)) return true; return false; };
  // Chromium lays out a closed <details>' content (content-visibility: hidden): sized, never shown.
  const collapsed = (el) => { for (let a = el; a && a !== pane; a = a.parentElement) { const d = a.parentElement; if (d && d.tagName === 'DETAILS' && !d.open && a.tagName !== 'SUMMARY') return true; } return false; };
  const layout = () => {
    const p = pane.getBoundingClientRect();
    const visible = [...pane.querySelectorAll('*')].filter((el) => { const r = el.getBoundingClientRect(); return (r.width > 0 || r.height > 0) && !collapsed(el); });
    const wide = visible.filter((el) => !inScroller(el)).filter((el) => { const r = el.getBoundingClientRect(); return r.right > p.right + 0.5 || r.left < p.left - 0.5; }).map((el) => box(el));
    const scrolling = visible.filter((el) => el.tagName === 'TABLE' && el.scrollWidth > el.clientWidth + 1).map((el) => box(el));
    const heading = pane.querySelector('h1, h2');
    return { paneWidth: Math.round(p.width), pageWidth: document.documentElement.scrollWidth, height: Math.ceil(pane.getBoundingClientRect().bottom), heading: heading ? box(heading, true) : undefined, proof: heading && heading.nextElementSibling ? box(heading.nextElementSibling, true) : undefined, wide, scrolling, text: pane.innerText };
  };
  const closed = layout();
  for (const d of pane.querySelectorAll('details')) d.open = true;
  const open = layout();
  for (const d of pane.querySelectorAll('details')) d.open = false;
  const out = document.createElement('pre');
  out.id = 'measured';
  out.textContent = btoa(unescape(encodeURIComponent(JSON.stringify({ closed, open }))));
  document.body.appendChild(out);
})();`;

async function withPage<T>(html: string, use: (file: string, profile: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'verify-image-browser-'));
  try {
    const file = join(dir, 'summary.html');
    await writeFile(file, html);
    return await use(file, join(dir, 'profile'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The layout of `summary` in the pane, closed and with every collapsed section open. */
export async function measureSummary(summary: string): Promise<Measured> {
  return withPage(summaryPage(summary, true), async (file, profile) => {
    const { stdout } = await run('chromium', [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, `--window-size=${PANE_WIDTH},1200`, '--dump-dom', `file://${file}`], {
      maxBuffer: 64 * 1024 * 1024,
      timeout: 60_000,
    });
    const encoded = /<pre id="measured">([A-Za-z0-9+/=]+)<\/pre>/.exec(stdout)?.[1];
    if (!encoded) throw new Error(`chromium's DOM holds no measurements: ${stdout.slice(0, 300)}`);
    return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Measured;
  });
}

/** A PNG of `summary` as the page opens (or with every collapsed section open), `height` px tall, written to `path`. */
export async function screenshotSummary(summary: string, path: string, height: number, open = false): Promise<void> {
  // Our summary writes every collapsed section as `<details>`: opened here as a reader would click it.
  const page = summaryPage(open ? summary.replaceAll('<details>', '<details open>') : summary, false);
  await withPage(page, async (file, profile) => {
    const shot = join(profile, '..', 'shot.png');
    await run('chromium', [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, `--window-size=${PANE_WIDTH},${height}`, `--screenshot=${shot}`, `file://${file}`], { timeout: 60_000 });
    await writeFile(path, await readFile(shot));
  });
}
