/*
 * One municipality's example. The documents illustrate with how one municipality works ("De
 * gemeente Amersfoort heeft het proces zo ingeregeld, dat …"); the service sends the
 * municipality a sentence tells about (`municipality`). answer.js puts "Voorbeeld uit …"
 * before such a sentence and this note under the answer, so a parent does not take it for how
 * it goes everywhere. Not for a school board's plan: its own note already says whose plan it is.
 */

import { arr, str } from './dom.js';

const PLAN = 'schoolplan';

/** The municipality `sentence` is an example from, or '' (none, or a school board's plan). */
function municipality(sentence, byN) {
  const name = str(sentence && sentence.municipality).trim();
  if (!name) return '';
  const cited = arr(sentence.citations).map((n) => byN.get(n)).filter(Boolean);
  return cited.some((c) => str(c.doc_kind) === PLAN) ? '' : name;
}

/** The label's text before a sentence that tells about one municipality, or ''. */
export function placeLabel(sentence, byN) {
  const name = municipality(sentence, byN);
  return name ? `Voorbeeld uit ${name}` : '';
}

/** What the label means, once under an answer that has one; '' when it has none. */
export function placeNote(sentences, byN) {
  if (!arr(sentences).some((s) => municipality(s, byN))) return '';
  return 'Een zin met ‘Voorbeeld uit …’ vertelt hoe het in één gemeente gaat. '
    + 'In andere gemeenten kan het anders gaan.';
}
