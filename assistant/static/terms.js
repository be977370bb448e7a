/*
 * Glossary terms with tooltips (hover and keyboard focus): the glossary is loaded once, and the
 * first occurrence of each term in an answer becomes a button with a tooltip.
 */

import { API, api } from './api.js';
import { arr, collapseSpace, el, escapeRegExp, nextIdNumber, str } from './dom.js';

const glossary = { entries: [] };

const normTerm = (text) => collapseSpace(text).toLocaleLowerCase('nl');

/** A matcher for the response's terms plus the glossary (response explanations win). */
export function termMatcher(responseTerms) {
  const byName = new Map();
  const add = (name, entry) => {
    const key = normTerm(name);
    if (key.length >= 2 && !byName.has(key)) byName.set(key, entry);
  };
  const glossaryByTerm = new Map(glossary.entries.map((g) => [normTerm(g.term), g]));
  for (const t of arr(responseTerms)) {
    if (!t || !str(t.term) || !str(t.explanation)) continue;
    const entry = { term: str(t.term), explanation: str(t.explanation) };
    add(entry.term, entry);
    for (const alias of arr(t.aliases)) add(str(alias), entry);
    const g = glossaryByTerm.get(normTerm(entry.term));
    if (g) for (const alias of arr(g.aliases)) add(str(alias), entry);
  }
  for (const g of glossary.entries) {
    const entry = { term: g.term, explanation: g.explanation };
    add(g.term, entry);
    for (const alias of arr(g.aliases)) add(str(alias), entry);
  }
  if (!byName.size) return null;
  const names = [...byName.keys()]
    .sort((a, b) => b.length - a.length)
    .map((name) => escapeRegExp(name).replace(/ /g, '\\s+'));
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${names.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  return { re, byName, used: new Set() };
}

function termNode(shown, entry) {
  const tipId = `term-tip-${nextIdNumber()}`;
  return el(
    'span',
    { class: 'term-wrap' },
    el('button', { type: 'button', class: 'term', 'aria-describedby': tipId }, shown),
    el('span', { class: 'tooltip', role: 'tooltip', id: tipId },
      el('strong', null, `${entry.term}: `), entry.explanation),
  );
}

/** Append text, turning the first occurrence of each glossary term into a tooltip button. */
export function appendWithTerms(parent, text, matcher) {
  if (!matcher) {
    parent.append(text);
    return;
  }
  let last = 0;
  for (const match of text.matchAll(matcher.re)) {
    const entry = matcher.byName.get(normTerm(match[0]));
    if (!entry || matcher.used.has(entry)) continue;
    matcher.used.add(entry);
    if (match.index > last) parent.append(text.slice(last, match.index));
    parent.append(termNode(match[0], entry));
    last = match.index + match[0].length;
  }
  if (last < text.length) parent.append(text.slice(last));
}

/** Keep a visible tooltip inside the viewport (no horizontal scrolling on phones). */
function placeTooltip(wrap) {
  const tip = wrap.querySelector('.tooltip');
  if (!tip) return;
  tip.style.left = '';
  const rect = tip.getBoundingClientRect();
  if (!rect.width) return;
  const viewport = document.documentElement.clientWidth;
  const margin = 8;
  let shift = 0;
  if (rect.right > viewport - margin) shift = viewport - margin - rect.right;
  if (rect.left + shift < margin) shift = margin - rect.left;
  if (shift) tip.style.left = `${shift}px`;
}

export function initTooltips() {
  const show = (event) => {
    const wrap = event.target instanceof Element ? event.target.closest('.term-wrap') : null;
    if (!wrap) return;
    wrap.classList.remove('tip-dismissed');
    placeTooltip(wrap);
  };
  document.addEventListener('focusin', show);
  document.addEventListener('mouseover', show);
  document.addEventListener('focusout', (event) => {
    const wrap = event.target instanceof Element ? event.target.closest('.term-wrap') : null;
    if (wrap) wrap.classList.remove('tip-dismissed');
  });
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    const wrap = document.activeElement && document.activeElement.closest
      ? document.activeElement.closest('.term-wrap')
      : null;
    if (wrap && !wrap.classList.contains('tip-dismissed')) {
      wrap.classList.add('tip-dismissed');
      event.preventDefault(); // first Escape only hides the tooltip (not the dialog)
    }
  });
}

export async function loadGlossary() {
  try {
    const data = await api(`${API}/glossary`);
    glossary.entries = arr(data.terms)
      .filter((t) => t && str(t.term) && str(t.explanation))
      .map((t) => ({ term: str(t.term), explanation: str(t.explanation), aliases: arr(t.aliases).map(str).filter(Boolean) }));
  } catch {
    glossary.entries = []; // answers still work, just without tooltips
  }
}
