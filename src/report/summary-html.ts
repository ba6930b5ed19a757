// The HTML elements of the job summary, built here rather than with @actions/core's helpers: its
// wrap() writes an empty cell or list item as an open tag with no close (`<td>`), which leaves the
// table to the browser's guesswork. Rows and cells are core's own table types, so the summary
// could be handed to core.summary.addTable unchanged; their data is HTML already (values escaped
// by the caller with escapeHtml). Each function returns one line: one element of the summary.

import type * as core from '@actions/core';

/** A table row as @actions/core's summary types it (a string is a data cell). */
export type SummaryTableRow = Parameters<typeof core.summary.addTable>[0][number];
export type SummaryTableCell = Exclude<SummaryTableRow[number], string>;

export function tableHtml(rows: readonly SummaryTableRow[]): string {
  const cellHtml = (cell: SummaryTableRow[number]): string => {
    if (typeof cell === 'string') return `<td>${cell}</td>`;
    const tag = cell.header ? 'th' : 'td';
    // colspan and rowspan are our own numbers, never outside text.
    const attrs = `${cell.colspan ? ` colspan="${Number(cell.colspan)}"` : ''}${cell.rowspan ? ` rowspan="${Number(cell.rowspan)}"` : ''}`;
    return `<${tag}${attrs}>${cell.data}</${tag}>`;
  };
  return `<table>${rows.map((row) => `<tr>${row.map(cellHtml).join('')}</tr>`).join('')}</table>`;
}

/** A header row from column titles (our own words). */
export function headerRow(titles: readonly string[]): SummaryTableCell[] {
  return titles.map((data) => ({ data, header: true }));
}

export function listHtml(items: readonly string[]): string {
  return items.length ? `<ul>${items.map((item) => `<li>${item}</li>`).join('')}</ul>` : '';
}

/** A heading; `text` is HTML (escaped by the caller). */
export function headingHtml(text: string, level: 2 | 3 | 4): string {
  return `<h${level}>${text}</h${level}>`;
}

export function paragraphHtml(html: string): string {
  return `<p>${html}</p>`;
}

/** A collapsed section; label and content are HTML. */
export function detailsHtml(label: string, content: string): string {
  return `<details><summary>${label}</summary>${content}</details>`;
}
