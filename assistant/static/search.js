/* Search mode: passages for a few words, filtered by document and topic, each with a citation to copy. */

import { API, api } from './api.js';
import { citationText, kindLabel, locationLabel, showDocument } from './citations.js';
import { copyButton } from './clipboard.js';
import { readAsText } from './corrections.js';
import { $, announceIn, arr, el, str } from './dom.js';
import { appendWithGaps, gapNote, gapOffsets, hasGaps } from './gaps.js';

const SEARCH_K = 20;

const search = { form: null, query: null, doc: null, topic: null, status: null, results: null, copyStatus: null, seq: 0 };

const announceCopy = (text) => announceIn(search.copyStatus, text, search.status);

/** One result; `explainGaps` adds the note on what [getal] means (once, under the first). */
function renderResult(p, index, explainGaps) {
  const where = [kindLabel(p), locationLabel(p)].filter(Boolean).join(' · ');
  const text = el('p', { class: 'result-text' });
  appendWithGaps(text, str(p.text), gapOffsets(str(p.text), p.gaps));
  return el('li', { class: 'result' },
    el('h3', { class: 'result-title' },
      el('span', { class: 'visually-hidden' }, `Resultaat ${index + 1}: `), str(p.title) || str(p.doc_id)),
    where ? el('p', { class: 'result-meta' }, where) : null,
    text,
    explainGaps ? gapNote() : null,
    el('div', { class: 'result-actions' },
      copyButton(() => citationText(p, str(p.text), p.gaps), announceCopy),
      el('button', {
        type: 'button',
        class: 'button link',
        onclick: (event) => showDocument(p.doc_id, p.chunk_id, null, event.currentTarget),
      }, 'Bekijk in het document')));
}

async function runSearch(event) {
  event.preventDefault();
  const query = search.query.value.trim();
  if (!query) {
    search.status.textContent = 'Typ eerst een of meer zoekwoorden.';
    search.query.focus();
    return;
  }
  const seq = ++search.seq;
  const filters = {
    doc_ids: search.doc.value ? [search.doc.value] : null,
    topic: search.topic.value || null,
  };
  search.status.textContent = 'Bezig met zoeken…';
  search.status.classList.add('is-loading');
  search.results.setAttribute('aria-busy', 'true');
  try {
    const data = await api(`${API}/search`, { method: 'POST', body: { query, k: SEARCH_K, filters } });
    if (seq !== search.seq) return;
    const passages = arr(data.passages).filter((p) => p && typeof p === 'object');
    const firstMarked = passages.findIndex((p) => hasGaps([p]));
    search.results.replaceChildren(...passages.map((p, i) => renderResult(p, i, i === firstMarked)));
    const found = passages.length
      ? `${passages.length} ${passages.length === 1 ? 'passage' : 'passages'} gevonden.`
      : 'Geen passages gevonden. Probeer andere woorden of haal een filter weg.';
    search.status.textContent = [found, readAsText(data.corrections)].filter(Boolean).join(' ');
  } catch (err) {
    if (seq !== search.seq) return;
    search.results.replaceChildren();
    search.status.textContent = err.message;
  } finally {
    if (seq === search.seq) {
      search.status.classList.remove('is-loading');
      search.results.setAttribute('aria-busy', 'false');
    }
  }
}

export function initSearch() {
  search.form = $('#search-form');
  search.query = $('#search-query');
  search.doc = $('#search-doc');
  search.topic = $('#search-topic');
  search.status = $('#search-status');
  search.results = $('#search-results');
  search.copyStatus = $('#copy-status');
  search.form.addEventListener('submit', runSearch);
}
