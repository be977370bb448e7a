/*
 * Suggestions to others. Some parts of the documents give suggestions to schools (the
 * werkagenda's "Suggesties op schoolniveau"); the service sends whom a sentence's part gives
 * suggestions to (`addressed_to`, e.g. 'scholen'). answer.js puts the part's name before such
 * a sentence and this note under the answer, so a parent does not read a school's to-do as a
 * rule or as their own step.
 */

import { arr, str } from './dom.js';

const PARENTS = 'ouders';

/** Whom `sentence` comes from suggestions to, or '' (none, or parents themselves). */
function addressee(sentence) {
  const party = str(sentence && sentence.addressed_to).trim();
  return party && party !== PARENTS ? party : '';
}

/** The label's text before a sentence from suggestions to others, or ''. */
export function addresseeLabel(sentence) {
  const party = addressee(sentence);
  return party ? `Suggesties voor ${party}` : '';
}

/** What the labels mean, once under an answer that has one; '' when it has none. */
export function addresseeNote(sentences) {
  const parties = [...new Set(arr(sentences).map(addressee).filter(Boolean))];
  if (!parties.length) return '';
  const labels = parties.map((p) => `‘Suggesties voor ${p}’`).join(' of ');
  const who = parties.join(' en ');
  return `Een zin met ${labels} komt uit een deel van het document met ideeën voor ${who}. `
    + `Zo’n zin zegt vooral wat ${who} kunnen doen.`;
}
