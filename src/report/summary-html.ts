// The HTML pieces of the job summary we build ourselves instead of with @actions/core's helpers:
// its wrap() writes an empty cell or list item as an open tag with no close (`<td>`), which
// leaves the table to the browser's guesswork. Cell data is HTML already (values escaped by the
// caller with escapeHtml).

import * as core from '@actions/core';

export type Cell = { data: string; header?: boolean };

export function tableHtml(rows: readonly Cell[][]): string {
  const row = (cells: readonly Cell[]) => `<tr>${cells.map((c) => (c.header ? `<th>${c.data}</th>` : `<td>${c.data}</td>`)).join('')}</tr>`;
  return `<table>${rows.map(row).join('')}</table>`;
}

export function listHtml(items: readonly string[]): string {
  return `<ul>${items.map((item) => `<li>${item}</li>`).join('')}</ul>`;
}

export function addTable(rows: readonly Cell[][]): void {
  core.summary.addRaw(tableHtml(rows), true);
}

export function addList(items: readonly string[]): void {
  if (items.length) core.summary.addRaw(listHtml(items), true);
}
