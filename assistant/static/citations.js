/*
 * Citations: how a source is labelled, the [n] buttons in an answer, and the source dialog that
 * shows one cited passage (cited sentences highlighted) or the whole document.
 */

import { API, api } from './api.js';
import { copyButton } from './clipboard.js';
import { $, announceIn, arr, collapseSpace, el, safeHttpUrl, str } from './dom.js';
import { appendWithGaps, gapNote, gapOffsets, hasGaps, withGapMarks } from './gaps.js';

// ---------------------------------------------------------------------------------------
// Labels
// ---------------------------------------------------------------------------------------

/** "4" or "4–5" (when a passage runs over two pages), or '' without a page. */
function pages(item) {
  if (!Number.isInteger(item.page)) return '';
  const end = item.page_end;
  return Number.isInteger(end) && end > item.page ? `${item.page}–${end}` : String(item.page);
}

/** What kind of document a source is (`doc_kind`, from the catalog), as a reader would say it. */
const KIND_LABELS = {
  handreiking: 'Handreiking',
  werkagenda: 'Plannen van de overheid',
  onderzoeksrapport: 'Onderzoek',
  schoolplan: 'Plan van een schoolbestuur',
  web: 'Website',
};

/** "Plan van een schoolbestuur", or '' when the catalog does not say (or says something new). */
export function kindLabel(item) {
  const kind = str(item.doc_kind);
  return Object.prototype.hasOwnProperty.call(KIND_LABELS, kind) ? KIND_LABELS[kind] : '';
}

/**
 * Notes for an answer that quotes a plan: a school board's plan is about its own schools, a
 * werkagenda holds what the government wants to do. One note per kind, naming the board(s);
 * "Dit antwoord" when every source is of that kind, "Een deel van dit antwoord" when not.
 */
export function scopeNotes(citations) {
  const of = (kind) => citations.filter((c) => str(c.doc_kind) === kind);
  const opening = (kind) => (of(kind).length === citations.length ? 'Dit antwoord' : 'Een deel van dit antwoord');
  const notes = [];
  const plans = of('schoolplan');
  if (plans.length) {
    const boards = [...new Set(plans.map((c) => str(c.publisher)).filter(Boolean))];
    const who = boards.length ? ` (${boards.join(', ')})` : '';
    const documents = new Set(plans.map((c) => str(c.doc_id)));
    notes.push(documents.size > 1
      ? `${opening('schoolplan')} komt uit plannen van schoolbesturen${who}. `
        + 'Die gaan over de scholen van die besturen, niet over alle scholen.'
      : `${opening('schoolplan')} komt uit het plan van één schoolbestuur${who}. `
        + 'Het gaat over de scholen van dat bestuur, niet over alle scholen.');
  }
  if (of('werkagenda').length) {
    notes.push(`${opening('werkagenda')} komt uit plannen van de overheid. `
      + 'Daarin staat vooral wat de overheid de komende jaren wil doen.');
  }
  return notes;
}

/** "Title, section, p. 4" — the parts that exist. */
export function sourceLabel(item) {
  const parts = [str(item.title) || str(item.doc_id)];
  if (str(item.section)) parts.push(str(item.section));
  if (pages(item)) parts.push(`p. ${pages(item)}`);
  return parts.join(', ');
}

/** "section · pagina 4" (without the title), or '' when neither exists. */
export function locationLabel(item) {
  const parts = [];
  if (str(item.section)) parts.push(str(item.section));
  if (pages(item)) parts.push(`pagina ${pages(item)}`);
  return parts.join(' · ');
}

/** The text "Kopieer citaat" puts on the clipboard; `gaps` mark lost figures in `quote`. */
export function citationText(item, quote, gaps = []) {
  return `${sourceLabel(item)}: “${collapseSpace(withGapMarks(quote, gaps))}”`;
}

// ---------------------------------------------------------------------------------------
// Highlighting of cited sentences (quote_spans are code-point offsets into `text`)
// ---------------------------------------------------------------------------------------

/** Convert [start, end) code-point spans to sorted, merged UTF-16 ranges within text. */
function spansToRanges(text, spans) {
  const codePoints = Array.from(text);
  const offsets = new Array(codePoints.length + 1);
  offsets[0] = 0;
  for (let i = 0; i < codePoints.length; i += 1) offsets[i + 1] = offsets[i] + codePoints[i].length;
  const clamp = (n) => Math.max(0, Math.min(n, codePoints.length));
  const ranges = arr(spans)
    .filter((s) => Array.isArray(s) && s.length >= 2 && Number.isInteger(s[0]) && Number.isInteger(s[1]))
    .map((s) => [offsets[clamp(s[0])], offsets[clamp(s[1])]])
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  const merged = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

/**
 * Append `text` to `parent` with <mark> around the cited sentences and [getal] where a figure was
 * lost (`gaps`). Returns the marks.
 */
function appendHighlighted(parent, text, spans, quote, gaps) {
  let ranges = spansToRanges(text, spans);
  if (!ranges.length && str(quote)) {
    const at = text.indexOf(str(quote));
    if (at >= 0) ranges = [[at, at + str(quote).length]];
  }
  const offsets = gapOffsets(text, gaps);
  const marks = [];
  let pos = 0;
  for (const [start, end] of ranges) {
    if (start > pos) appendWithGaps(parent, text, offsets, undefined, pos, start);
    const mark = el('mark');
    appendWithGaps(mark, text, offsets, undefined, start, end);
    marks.push(mark);
    parent.append(mark);
    pos = end;
  }
  if (pos < text.length) appendWithGaps(parent, text, offsets, undefined, pos, text.length);
  return marks;
}

// ---------------------------------------------------------------------------------------
// Source dialog: one passage, or the whole document
// ---------------------------------------------------------------------------------------

const dialog = {
  node: null,
  title: null,
  body: null,
  status: null,
  returnFocus: null,
  requestSeq: 0,
};

function openDialog(trigger) {
  if (!dialog.node.open) {
    dialog.returnFocus = trigger || document.activeElement;
    if (typeof dialog.node.showModal === 'function') dialog.node.showModal();
    else dialog.node.setAttribute('open', '');
  }
}

function closeDialog() {
  if (dialog.node.open) dialog.node.close();
}

const announceInDialog = (text) => announceIn(dialog.status, text);

/** Show one cited passage with the cited sentences marked. */
export function showCitation(citation, trigger) {
  dialog.requestSeq += 1;
  dialog.title.textContent = str(citation.title) || str(citation.doc_id);
  const body = dialog.body;
  body.replaceChildren();

  const where = locationLabel(citation);
  body.append(el('p', { class: 'dialog-kicker' }, Number.isInteger(citation.n) ? `Bron ${citation.n}` : 'Bron'));
  if (where) body.append(el('p', { class: 'dialog-meta' }, where));

  const passage = el('blockquote', { class: 'passage', id: 'dialog-passage' });
  const whole = Boolean(str(citation.text));
  const text = whole ? str(citation.text) : str(citation.quote);
  const gaps = whole ? citation.gaps : citation.quote_gaps;
  appendHighlighted(passage, text, citation.quote_spans, citation.quote, gaps);
  body.append(passage);
  body.append(el('p', { class: 'hint' }, 'De gemarkeerde zinnen zijn gebruikt in het antwoord.'));
  if (arr(gaps).length) body.append(gapNote());

  const actions = el('div', { class: 'dialog-actions' });
  if (str(citation.doc_id)) {
    actions.append(el('button', {
      type: 'button',
      class: 'button primary',
      onclick: () => showDocument(citation.doc_id, citation.chunk_id, citation),
    }, 'Bekijk het hele document'));
  }
  const copied = str(citation.quote) ? [str(citation.quote), citation.quote_gaps] : [text, gaps];
  actions.append(copyButton(() => citationText(citation, ...copied), announceInDialog));
  body.append(actions);

  openDialog(trigger);
  body.scrollTop = 0;
  dialog.node.scrollTop = 0;
}

/** Load a whole document and scroll to the highlighted passage. */
export async function showDocument(docId, chunkId, citation, trigger) {
  const seq = ++dialog.requestSeq;
  const body = dialog.body;
  body.replaceChildren(el('p', { class: 'loading', role: 'status' },
    el('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Het document wordt geladen…'));
  openDialog(trigger);

  let data;
  try {
    const query = chunkId ? `?chunk_id=${encodeURIComponent(chunkId)}` : '';
    data = await api(`${API}/documents/${encodeURIComponent(docId)}${query}`);
  } catch (err) {
    if (seq !== dialog.requestSeq) return;
    body.replaceChildren(el('p', { class: 'error-box', role: 'alert' }, err.message));
    return;
  }
  if (seq !== dialog.requestSeq) return;

  const doc = data.document || {};
  dialog.title.textContent = str(doc.title) || str(docId);
  body.replaceChildren();

  const meta = [str(doc.publisher), doc.year ? str(doc.year) : '', Number.isInteger(doc.pages) && doc.pages > 0 ? `${doc.pages} pagina's` : '']
    .filter(Boolean);
  body.append(el('p', { class: 'dialog-kicker' }, 'Heel document'));
  if (meta.length) body.append(el('p', { class: 'dialog-meta' }, meta.join(' · ')));
  const topActions = el('div', { class: 'dialog-actions' });
  if (citation) {
    topActions.append(el('button', {
      type: 'button',
      class: 'button secondary',
      onclick: () => showCitation(citation),
    }, 'Terug naar de passage'));
  }
  const url = safeHttpUrl(doc.url);
  if (url) {
    topActions.append(el('a', { class: 'button link', href: url, target: '_blank', rel: 'noopener noreferrer' },
      'Originele bron openen', el('span', { class: 'visually-hidden' }, ' (opent in een nieuw venster)')));
  }
  if (topActions.childElementCount) body.append(topActions);

  const list = el('div', { class: 'doc-passages' });
  let lastSection = null;
  let target = null;
  for (const p of arr(data.passages)) {
    const section = str(p.section);
    if (section && section !== lastSection) list.append(el('h3', { class: 'doc-section' }, section));
    lastSection = section;
    const item = el('div', {
      class: p.highlight ? 'doc-passage is-highlighted' : 'doc-passage',
      dataset: { chunkId: str(p.chunk_id) },
    });
    if (Number.isInteger(p.page)) item.append(el('p', { class: 'doc-page' }, `pagina ${p.page}`));
    const text = el('p', { class: 'doc-text' });
    const sameText = citation && p.highlight && str(citation.text) === str(p.text);
    appendHighlighted(text, str(p.text), sameText ? citation.quote_spans : [], sameText ? citation.quote : '', p.gaps);
    if (p.highlight) {
      item.setAttribute('tabindex', '-1');
      item.setAttribute('aria-label', 'Geciteerde passage');
      item.prepend(el('p', { class: 'doc-flag' }, 'Hier komt het citaat vandaan'));
      target = item;
    }
    item.append(text);
    list.append(item);
  }
  if (!list.childElementCount) list.append(el('p', { class: 'muted' }, 'Dit document heeft geen tekst om te tonen.'));
  if (hasGaps(data.passages)) body.append(gapNote());
  body.append(list);

  if (target) {
    target.scrollIntoView({ block: 'start' }); // jump: a long smooth scroll disorients
    target.focus({ preventScroll: true });
    announceInDialog('Het hele document is geopend bij de geciteerde passage.');
  } else {
    dialog.node.scrollTop = 0;
    announceInDialog('Het hele document is geopend.');
  }
}

export function initDialog() {
  dialog.node = $('#source-dialog');
  dialog.title = $('#dialog-title');
  dialog.body = $('#dialog-body');
  dialog.status = $('#dialog-status');
  $('#dialog-close').addEventListener('click', closeDialog);
  dialog.node.addEventListener('click', (event) => {
    if (event.target === dialog.node) closeDialog(); // click on the backdrop
  });
  dialog.node.addEventListener('close', () => {
    dialog.requestSeq += 1;
    const back = dialog.returnFocus;
    dialog.returnFocus = null;
    if (back && typeof back.focus === 'function' && document.contains(back)) back.focus();
  });
}

// ---------------------------------------------------------------------------------------
// Buttons in an answer that open the dialog
// ---------------------------------------------------------------------------------------

/** The [n] after a sentence: a button that opens source n, or plain text when it is missing. */
export function citationButton(citation, n) {
  const label = citation ? `Bron ${n} bekijken: ${sourceLabel(citation)}` : `Bron ${n}`;
  if (!citation) return el('sup', { class: 'cite' }, `[${n}]`);
  return el('sup', { class: 'cite' },
    el('button', {
      type: 'button',
      class: 'cite-btn',
      'aria-label': label,
      dataset: { n: String(n) },
      onclick: (event) => showCitation(citation, event.currentTarget),
    }, `[${n}]`));
}
