/*
 * Lost figures. Where a document's text extraction lost a number (a date, a year, an amount),
 * the service sends the place as an offset into the text (`gaps`, in code points). The page shows
 * [getal] there, says once what it means, and puts [getal] in a copied citation: the text stays
 * the document's own, and the reader knows that something is missing. (Not "[…]": the documents
 * use that themselves, for words left out of a quotation.)
 */

import { arr, el } from './dom.js';

export const GAP_MARK = '[getal]';
export const GAP_NOTE = '[getal] betekent: hier staat in het originele document een getal, zoals '
  + 'een datum, een jaar of een aantal. Dat getal ging verloren toen het document naar tekst werd '
  + 'omgezet. Kijk in het originele document als je het nodig hebt.';

/** The UTF-16 offsets in `text` of code-point `gaps`, sorted, without duplicates or strays. */
export function gapOffsets(text, gaps) {
  const wanted = [...new Set(arr(gaps).filter(Number.isInteger))].sort((a, b) => a - b);
  const offsets = [];
  let next = 0;
  let codePoint = 0;
  let unit = 0;
  for (const char of text) {
    while (next < wanted.length && wanted[next] <= codePoint) {
      if (wanted[next] === codePoint) offsets.push(unit);
      next += 1;
    }
    if (next === wanted.length) break;
    codePoint += 1;
    unit += char.length;
  }
  return offsets;
}

/** One gap's mark: [getal] for the eye, words for a screen reader. */
function gapMark() {
  return el('span', { class: 'lost-figure', title: 'Hier staat in het originele document een getal.' },
    el('span', { 'aria-hidden': 'true' }, GAP_MARK),
    el('span', { class: 'visually-hidden' }, '(getal ontbreekt)'));
}

/** What follows a mark: a space before a word ("is [getal] jaar"), none before "%" ("[getal]%"). */
const afterMark = (text, offset) => (text[offset] === '%' ? '' : ' ');

/**
 * Append `text.slice(start, end)` to `parent` with a mark at each of `offsets` (UTF-16, from
 * `gapOffsets`) inside it; `put(parent, piece)` appends a piece of plain text.
 */
export function appendWithGaps(parent, text, offsets, put = (node, piece) => node.append(piece),
  start = 0, end = text.length) {
  let position = start;
  for (const offset of offsets) {
    if (offset < start || offset >= end) continue;
    if (offset > position) put(parent, text.slice(position, offset));
    parent.append(gapMark());
    if (afterMark(text, offset)) parent.append(afterMark(text, offset));
    position = offset;
  }
  if (end > position) put(parent, text.slice(position, end));
}

/** `text` with [getal] at each gap: what a copied citation says. */
export function withGapMarks(text, gaps) {
  const offsets = gapOffsets(text, gaps);
  let result = '';
  let position = 0;
  for (const offset of offsets) {
    result += `${text.slice(position, offset)}${GAP_MARK}${afterMark(text, offset)}`;
    position = offset;
  }
  return result + text.slice(position);
}

/** Whether any of `items` (sentences, passages) has a gap. */
export const hasGaps = (items) => arr(items).some((item) => item && arr(item.gaps).length > 0);

/** The note that says what [getal] means. */
export const gapNote = () => el('p', { class: 'gap-note' }, GAP_NOTE);
