/*
 * Mistyped words the service read as the documents' words ("basischool" as "basisschool"):
 * said under the question, so a reader knows what was looked up and can ask again.
 */

import { arr, el, str } from './dom.js';

/** 'We zochten op ‘basisschool’ (je typte ‘basischool’).', or '' when nothing was read otherwise. */
export function readAsText(corrections) {
  const pairs = arr(corrections)
    .filter((c) => c && str(c.typed) && str(c.read_as))
    .map((c) => `‘${str(c.read_as)}’ (je typte ‘${str(c.typed)}’)`);
  if (!pairs.length) return '';
  const last = pairs.pop();
  return `We zochten op ${pairs.length ? `${pairs.join(', ')} en ${last}` : last}.`;
}

/** The note for an answer card, or null. */
export function renderReadAs(corrections) {
  const text = readAsText(corrections);
  return text ? el('p', { class: 'read-as' }, text) : null;
}
