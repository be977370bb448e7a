/*
 * Footnote references. The documents' footnote markers survive extraction glued to the text:
 * "een passend aanbod.38", "de Variawet42 ingevoerd", "(persoonsgebonden budget6)". Read as
 * text they look like numbers the sentence states; the page shows them as the superscript
 * footnote references they are. The text itself (and a copied citation) stays as it is.
 */

import { el } from './dom.js';

// Digits glued to the end of a word of three letters or more ("Variawet42", "Wlz8"), or to a
// word's closing punctuation ("aanbod.38"), followed by a space, punctuation or the end. Not
// "m2" or "CO2", nor a figure such as "1.200" (a digit before the point), nor a number after
// an abbreviation ("art.8", "nr.3", "ca.200"). Acronyms ("GPO45") are left as typed: the
// page cannot tell them from names with a number.
const REFERENCE = new RegExp(
  '(?<=[A-Za-zà-ÿ][a-zà-ÿ]{2}|[a-zà-ÿ)][.!?;:][”’"\')\\]]*)'
  + '(?<!\\b(?:art|artikel|nr|no|ca|blz|pag|p|lid|jr|mrt|okt)\\.)'
  + '(\\d{1,3})(?=[\\s.,;:!?”’"\')\\]]|$)',
  'gu',
);

function reference(number) {
  return el('sup', { class: 'footnote-ref', title: `Voetnoot ${number} in het document` },
    el('span', { class: 'visually-hidden' }, 'voetnoot '), number);
}

/**
 * Append `text` to `parent` with each footnote marker as a superscript reference;
 * `put(parent, piece)` appends the plain text between them.
 */
export function appendWithFootnotes(parent, text, put = (node, piece) => node.append(piece)) {
  let position = 0;
  for (const match of text.matchAll(REFERENCE)) {
    if (match.index > position) put(parent, text.slice(position, match.index));
    parent.append(reference(match[1]));
    position = match.index + match[1].length;
  }
  if (position < text.length) put(parent, text.slice(position));
}
