/*
 * Onderwijs-Zorg Wegwijzer: chat, source viewer, search and feedback.
 *
 * Security rule for this file: every string that comes from the server is inserted with
 * textContent, Text nodes or setAttribute (never innerHTML), so a passage containing markup
 * is shown as plain text. No inline scripts or handlers (CSP script-src 'self').
 */
(() => {
  'use strict';

  const API = '/api/v1';
  const MIN_QUESTION = 3;
  const MAX_QUESTION = 1000;
  const MAX_HISTORY = 10; // turns sent along with a follow-up question
  const MAX_HISTORY_TEXT = 1000; // characters per turn
  const MAX_FEEDBACK_CITATIONS = 20;
  const SEARCH_K = 20;
  const REQUEST_TIMEOUT_MS = 90000;

  const TOPIC_LABELS = {
    zorgplicht: 'Zorgplicht',
    onderwijstijd: 'Onderwijstijd',
    leerplichtontheffing: 'Vrijstelling van de leerplicht',
    financiering: 'Financiering',
    overig: 'Overig',
  };

  const MSG = {
    network:
      'Er is nu geen verbinding met de Wegwijzer. Controleer je internetverbinding en probeer het nog een keer.',
    timeout: 'Het duurt te lang voordat er een antwoord komt. Probeer het straks nog een keer.',
    server: 'Er ging bij ons iets mis. Probeer het over een paar minuten nog een keer.',
    client: 'Dit lukte niet. Pas je vraag aan en probeer het opnieuw.',
    tooShort: `Typ een vraag van minstens ${MIN_QUESTION} tekens.`,
    tooLong: `Je vraag is te lang. Gebruik maximaal ${MAX_QUESTION} tekens.`,
    busy: 'Even geduld: de Wegwijzer zoekt nog in de bronnen.',
    notFoundTitle: 'Dit staat niet in de bronnen',
    notFoundDefault: 'De Wegwijzer heeft in de documenten geen antwoord op deze vraag gevonden.',
  };

  /** Plain Dutch text for a 429 response, using the Retry-After header when it is a number. */
  function waitMessage(retryAfter) {
    const seconds = Number.parseInt(retryAfter || '', 10);
    let when = '';
    if (Number.isFinite(seconds) && seconds > 0) {
      when = seconds <= 90 ? ` (ongeveer ${seconds} seconden)` : ` (ongeveer ${Math.ceil(seconds / 60)} minuten)`;
    }
    return `Er worden nu veel vragen tegelijk gesteld. Wacht even${when} en probeer het dan opnieuw.`;
  }

  // ---------------------------------------------------------------------------------------
  // Small DOM helpers (text only; no HTML parsing)
  // ---------------------------------------------------------------------------------------

  const $ = (selector, root = document) => root.querySelector(selector);

  /**
   * Create an element. props: class, text, dataset, on<event> handlers, other attributes.
   * Children: nodes or strings (strings become Text nodes).
   */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [key, value] of Object.entries(props)) {
        if (value === null || value === undefined || value === false) continue;
        if (key === 'class') node.className = value;
        else if (key === 'text') node.textContent = String(value);
        else if (key === 'dataset') Object.assign(node.dataset, value);
        else if (key.startsWith('on') && typeof value === 'function') {
          node.addEventListener(key.slice(2), value);
        } else if (value === true) node.setAttribute(key, '');
        else node.setAttribute(key, String(value));
      }
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  const SVG_NS = 'http://www.w3.org/2000/svg';

  /** A thumbs-up icon (static markup built with DOM calls); `down` flips it. */
  function thumbIcon(down) {
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', '20');
    svg.setAttribute('height', '20');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', down ? 'icon icon-down' : 'icon');
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute(
      'd',
      'M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3',
    );
    svg.append(path);
    return svg;
  }

  const str = (value) => (typeof value === 'string' ? value : value == null ? '' : String(value));
  const arr = (value) => (Array.isArray(value) ? value : []);

  function prefersReducedMotion() {
    return window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  }

  function scrollToElement(node, block = 'start') {
    node.scrollIntoView({ block, behavior: prefersReducedMotion() ? 'auto' : 'smooth' });
  }

  /** "4" or "4–5" (when a passage runs over two pages), or '' without a page. */
  function pages(item) {
    if (!Number.isInteger(item.page)) return '';
    const end = item.page_end;
    return Number.isInteger(end) && end > item.page ? `${item.page}–${end}` : String(item.page);
  }

  /** "Title, section, p. 4" — the parts that exist. */
  function sourceLabel(item) {
    const parts = [str(item.title) || str(item.doc_id)];
    if (str(item.section)) parts.push(str(item.section));
    if (pages(item)) parts.push(`p. ${pages(item)}`);
    return parts.join(', ');
  }

  /** "section · pagina 4" (without the title), or '' when neither exists. */
  function locationLabel(item) {
    const parts = [];
    if (str(item.section)) parts.push(str(item.section));
    if (pages(item)) parts.push(`pagina ${pages(item)}`);
    return parts.join(' · ');
  }

  function collapseSpace(text) {
    return str(text).replace(/\s+/g, ' ').trim();
  }

  function citationText(item, quote) {
    return `${sourceLabel(item)}: “${collapseSpace(quote)}”`;
  }

  function safeHttpUrl(value) {
    try {
      const url = new URL(str(value), window.location.href);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch {
      return null;
    }
  }

  // ---------------------------------------------------------------------------------------
  // API access
  // ---------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(message, status, code) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function api(path, { method = 'GET', body } = {}) {
    const controller = new AbortController();
    const timer = window.setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
        credentials: 'same-origin',
      });
    } catch (err) {
      throw new ApiError(err && err.name === 'AbortError' ? MSG.timeout : MSG.network, 0, 'network');
    } finally {
      window.clearTimeout(timer);
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok) {
      if (response.status === 429) {
        throw new ApiError(waitMessage(response.headers.get('Retry-After')), 429, 'rate_limited');
      }
      const error = data && typeof data === 'object' ? data.error : null;
      const message = error && typeof error.message === 'string' && error.message.trim()
        ? error.message.trim()
        : response.status >= 500 ? MSG.server : MSG.client;
      throw new ApiError(message, response.status, error ? str(error.code) : '');
    }
    if (data === null || typeof data !== 'object') throw new ApiError(MSG.server, response.status, 'bad_response');
    return data;
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

  /** Append `text` to `parent` with <mark> around the cited sentences. Returns the marks. */
  function appendHighlighted(parent, text, spans, quote) {
    let ranges = spansToRanges(text, spans);
    if (!ranges.length && str(quote)) {
      const at = text.indexOf(str(quote));
      if (at >= 0) ranges = [[at, at + str(quote).length]];
    }
    const marks = [];
    let pos = 0;
    for (const [start, end] of ranges) {
      if (start > pos) parent.append(text.slice(pos, start));
      const mark = el('mark', null, text.slice(start, end));
      marks.push(mark);
      parent.append(mark);
      pos = end;
    }
    if (pos < text.length) parent.append(text.slice(pos));
    return marks;
  }

  // ---------------------------------------------------------------------------------------
  // Glossary terms with tooltips (hover and keyboard focus)
  // ---------------------------------------------------------------------------------------

  const glossary = { entries: [] };
  let termSeq = 0;

  const normTerm = (text) => collapseSpace(text).toLocaleLowerCase('nl');
  const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  /** A matcher for the response's terms plus the glossary (response explanations win). */
  function termMatcher(responseTerms) {
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
    termSeq += 1;
    const tipId = `term-tip-${termSeq}`;
    return el(
      'span',
      { class: 'term-wrap' },
      el('button', { type: 'button', class: 'term', 'aria-describedby': tipId }, shown),
      el('span', { class: 'tooltip', role: 'tooltip', id: tipId },
        el('strong', null, `${entry.term}: `), entry.explanation),
    );
  }

  /** Append text, turning the first occurrence of each glossary term into a tooltip button. */
  function appendWithTerms(parent, text, matcher) {
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

  function initTooltips() {
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

  function announceInDialog(text) {
    dialog.status.textContent = '';
    window.setTimeout(() => {
      dialog.status.textContent = text;
    }, 50);
  }

  /** Show one cited passage with the cited sentences marked. */
  function showCitation(citation, trigger) {
    dialog.requestSeq += 1;
    dialog.title.textContent = str(citation.title) || str(citation.doc_id);
    const body = dialog.body;
    body.replaceChildren();

    const where = locationLabel(citation);
    body.append(el('p', { class: 'dialog-kicker' }, Number.isInteger(citation.n) ? `Bron ${citation.n}` : 'Bron'));
    if (where) body.append(el('p', { class: 'dialog-meta' }, where));

    const passage = el('blockquote', { class: 'passage', id: 'dialog-passage' });
    const text = str(citation.text) || str(citation.quote);
    appendHighlighted(passage, text, citation.quote_spans, citation.quote);
    body.append(passage);
    body.append(el('p', { class: 'hint' }, 'De gemarkeerde zinnen zijn gebruikt in het antwoord.'));

    const actions = el('div', { class: 'dialog-actions' });
    if (str(citation.doc_id)) {
      actions.append(el('button', {
        type: 'button',
        class: 'button primary',
        onclick: () => showDocument(citation.doc_id, citation.chunk_id, citation),
      }, 'Bekijk het hele document'));
    }
    actions.append(copyButton(() => citationText(citation, str(citation.quote) || text), announceInDialog));
    body.append(actions);

    openDialog(trigger);
    body.scrollTop = 0;
    dialog.node.scrollTop = 0;
  }

  /** Load a whole document and scroll to the highlighted passage. */
  async function showDocument(docId, chunkId, citation, trigger) {
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
      appendHighlighted(text, str(p.text), sameText ? citation.quote_spans : [], sameText ? citation.quote : '');
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

  function initDialog() {
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
  // Clipboard
  // ---------------------------------------------------------------------------------------

  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch {
        // fall through to the textarea fallback
      }
    }
    const active = document.activeElement;
    const buffer = el('textarea', { class: 'copy-buffer', readonly: true, 'aria-hidden': 'true', tabindex: '-1' });
    buffer.value = text;
    (dialog.node && dialog.node.open ? dialog.node : document.body).append(buffer);
    buffer.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    buffer.remove();
    if (active && typeof active.focus === 'function') active.focus();
    return ok;
  }

  /** A "Kopieer citaat" button; getText builds the citation, announce reports the result. */
  function copyButton(getText, announce) {
    const label = 'Kopieer citaat';
    const button = el('button', { type: 'button', class: 'button secondary copy' }, label);
    let timer = 0;
    button.addEventListener('click', async () => {
      const ok = await copyText(getText());
      window.clearTimeout(timer);
      button.textContent = ok ? 'Gekopieerd ✓' : 'Kopiëren lukte niet';
      timer = window.setTimeout(() => {
        button.textContent = label;
      }, 2500);
      announce(ok
        ? 'Citaat gekopieerd. Je kunt het nu plakken.'
        : 'Kopiëren lukte niet. Selecteer de tekst en kopieer die zelf.');
    });
    return button;
  }

  // ---------------------------------------------------------------------------------------
  // Chat
  // ---------------------------------------------------------------------------------------

  const chat = {
    history: [],
    busy: false,
    conversation: null,
    form: null,
    input: null,
    button: null,
    error: null,
    live: null,
    newChat: null,
  };

  function announce(text) {
    chat.live.textContent = '';
    window.setTimeout(() => {
      chat.live.textContent = text;
    }, 50);
  }

  function setAskError(text) {
    chat.error.textContent = text || '';
    if (text) chat.input.setAttribute('aria-invalid', 'true');
    else chat.input.removeAttribute('aria-invalid');
  }

  function setBusy(busy) {
    chat.busy = busy;
    chat.button.textContent = busy ? 'Bezig met zoeken…' : 'Vraag stellen';
    chat.button.setAttribute('aria-disabled', busy ? 'true' : 'false');
    chat.conversation.setAttribute('aria-busy', busy ? 'true' : 'false');
  }

  /** The plain answer text that is sent back as history with follow-up questions. */
  function answerPlainText(data) {
    const text = data.answerable
      ? arr(data.answer).map((s) => str(s && s.text)).join(' ')
      : str(data.message) || MSG.notFoundTitle;
    return (collapseSpace(text) || MSG.notFoundTitle).slice(0, MAX_HISTORY_TEXT);
  }

  function citationButton(citation, n) {
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

  function renderAnswerText(data, byN) {
    const matcher = termMatcher(data.terms);
    const para = el('p', { class: 'answer-text' });
    arr(data.answer).forEach((sentence, i) => {
      if (!sentence) return;
      if (i > 0) para.append(' ');
      const span = el('span', { class: 'sentence' });
      appendWithTerms(span, str(sentence.text), matcher);
      for (const n of arr(sentence.citations)) {
        if (Number.isInteger(n)) span.append(citationButton(byN.get(n), n));
      }
      para.append(span);
    });
    return para;
  }

  function renderFacts(data) {
    const rules = arr(data.rules).map(str).filter(Boolean);
    const parties = arr(data.parties).map(str).filter(Boolean);
    if (!rules.length && !parties.length) return null;
    const box = el('div', { class: 'facts' });
    if (rules.length) {
      box.append(el('div', { class: 'fact' },
        el('h4', { class: 'fact-title' }, 'Welke regels gaan hierover'),
        el('ul', { class: 'fact-list' }, rules.map((r) => el('li', null, r)))));
    }
    if (parties.length) {
      box.append(el('div', { class: 'fact' },
        el('h4', { class: 'fact-title' }, 'Wie hebben ermee te maken'),
        el('ul', { class: 'chips' }, parties.map((p) => el('li', { class: 'chip' }, p)))));
    }
    return box;
  }

  function renderSourceList(citations, title) {
    const list = el('ol', { class: 'source-list' });
    for (const c of citations) {
      list.append(el('li', null,
        el('button', {
          type: 'button',
          class: 'source-btn',
          onclick: (event) => showCitation(c, event.currentTarget),
        },
        el('span', { class: 'source-n' }, Number.isInteger(c.n) ? `[${c.n}]` : '•'),
        el('span', { class: 'source-title' }, str(c.title) || str(c.doc_id)),
        locationLabel(c) ? el('span', { class: 'source-where' }, locationLabel(c)) : null)));
    }
    return el('div', { class: 'sources-box' }, el('h4', { class: 'sources-title' }, title), list);
  }

  function renderNotFound(data, citations) {
    // The heading already says "Dit staat niet in de bronnen"; do not repeat it as a sentence.
    const repeated = new RegExp(`^\\s*${escapeRegExp(MSG.notFoundTitle)}\\s*[.!:]?\\s*`, 'i');
    const message = str(data.message).replace(repeated, '').trim();
    const box = el('div', { class: 'not-found' },
      el('h4', { class: 'not-found-title' }, MSG.notFoundTitle),
      el('p', null, message || MSG.notFoundDefault));
    if (citations.length) {
      box.append(el('p', { class: 'not-found-lead' },
        'Misschien heb je toch iets aan deze stukken tekst. Ze komen het dichtst bij je vraag:'));
      const list = el('ol', { class: 'closest' });
      for (const c of citations) {
        const quote = collapseSpace(str(c.quote) || str(c.text));
        const short = quote.length > 320 ? `${quote.slice(0, 317)}…` : quote;
        list.append(el('li', { class: 'closest-item' },
          el('p', { class: 'closest-source' }, sourceLabel(c)),
          el('p', { class: 'closest-quote' }, `“${short}”`),
          el('button', {
            type: 'button',
            class: 'button link small',
            onclick: (event) => showCitation(c, event.currentTarget),
          }, 'Lees de hele passage')));
      }
      box.append(list);
    }
    box.append(el('p', { class: 'hint' },
      'Je kunt je vraag ook anders stellen, of je vraag voorleggen aan de school, het samenwerkingsverband of een onderwijsconsulent.'));
    return box;
  }

  function renderFeedback(question, data) {
    const citationIds = arr(data.citations)
      .map((c) => str(c && c.chunk_id))
      .filter(Boolean)
      .slice(0, MAX_FEEDBACK_CITATIONS);
    termSeq += 1;
    const seq = termSeq;
    const box = el('div', { class: 'feedback' });
    const status = el('p', { class: 'feedback-status', 'aria-live': 'polite' });
    const promptId = `fb-prompt-${seq}`;
    const prompt = el('p', { class: 'feedback-prompt', id: promptId }, 'Heb je iets aan dit antwoord?');
    let rating = null;

    const remarkId = `fb-remark-${seq}`;
    const remark = el('textarea', { id: remarkId, class: 'feedback-remark', rows: '2', maxlength: '1000' });
    const send = el('button', { type: 'submit', class: 'button primary small' }, 'Verstuur');
    const form = el('form', { class: 'feedback-form', hidden: true, novalidate: true },
      el('label', { for: remarkId, class: 'field-label small' },
        'Wil je nog iets toelichten? Dat mag, maar het hoeft niet. Noem geen namen of BSN.'),
      remark,
      el('div', { class: 'form-actions' }, send));

    const thumbs = [];
    const thumb = (value, text, down) => {
      const b = el('button', {
        type: 'button',
        class: `thumb thumb-${value}`,
        'aria-pressed': 'false',
        dataset: { rating: value },
      }, thumbIcon(down), el('span', null, text));
      b.addEventListener('click', () => {
        rating = value;
        for (const t of thumbs) t.setAttribute('aria-pressed', t === b ? 'true' : 'false');
        form.hidden = false;
        status.textContent = '';
        remark.focus();
      });
      thumbs.push(b);
      return b;
    };
    const group = el('div', { class: 'thumbs', role: 'group', 'aria-labelledby': promptId },
      thumb('up', 'Ja, nuttig', false), thumb('down', 'Niet nuttig', true));

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!rating || send.getAttribute('aria-disabled') === 'true') return;
      send.setAttribute('aria-disabled', 'true');
      send.textContent = 'Versturen…';
      const text = remark.value.trim();
      try {
        await api(`${API}/feedback`, {
          method: 'POST',
          body: {
            rating,
            remark: text ? text.slice(0, 1000) : null,
            question: question.slice(0, 2000),
            citation_ids: citationIds,
          },
        });
        form.remove();
        group.remove();
        prompt.remove();
        status.classList.add('is-thanks');
        status.textContent = 'Bedankt voor je feedback! Daarmee maken we de Wegwijzer beter.';
      } catch (err) {
        send.setAttribute('aria-disabled', 'false');
        send.textContent = 'Verstuur';
        status.textContent = `Je feedback is niet verstuurd. ${err.message}`;
      }
    });

    box.append(prompt, group, form, status);
    return box;
  }

  function renderAnswer(data, question) {
    const citations = arr(data.citations).filter((c) => c && typeof c === 'object');
    const byN = new Map(citations.filter((c) => Number.isInteger(c.n)).map((c) => [c.n, c]));
    const answerable = data.answerable === true && arr(data.answer).length > 0;
    const card = el('article', { class: answerable ? 'answer' : 'answer is-not-found' });
    card.append(el('h3', { class: 'visually-hidden' }, 'Antwoord van de Wegwijzer'));

    const topic = TOPIC_LABELS[str(data.topic)];
    if (answerable && topic && str(data.topic) !== 'overig') {
      card.append(el('p', { class: 'topic' }, el('span', { class: 'visually-hidden' }, 'Onderwerp: '), topic));
    }

    if (answerable) {
      if (str(data.message)) card.append(el('p', { class: 'answer-message' }, str(data.message)));
      card.append(renderAnswerText(data, byN));
      const facts = renderFacts(data);
      if (facts) card.append(facts);
      if (citations.length) card.append(renderSourceList(citations, 'Bronnen'));
    } else {
      card.append(renderNotFound(data, citations));
    }
    card.append(renderFeedback(question, data));
    return card;
  }

  function renderQuestion(question) {
    return el('div', { class: 'turn-user' },
      el('p', { class: 'bubble' }, el('span', { class: 'visually-hidden' }, 'Jouw vraag: '), question));
  }

  async function ask(rawQuestion) {
    const question = rawQuestion.trim();
    if (chat.busy) {
      setAskError(MSG.busy);
      return;
    }
    if (question.length < MIN_QUESTION) {
      setAskError(MSG.tooShort);
      chat.input.focus();
      return;
    }
    if (question.length > MAX_QUESTION) {
      setAskError(MSG.tooLong);
      chat.input.focus();
      return;
    }
    setAskError('');
    const examples = $('#examples');
    if (examples) examples.hidden = true;

    const history = chat.history.slice(-MAX_HISTORY);
    const turn = el('section', { class: 'turn', 'aria-label': 'Vraag en antwoord' });
    const loading = el('p', { class: 'loading' },
      el('span', { class: 'spinner', 'aria-hidden': 'true' }),
      'Even zoeken in de bronnen…');
    turn.append(renderQuestion(question), loading);
    chat.conversation.append(turn);
    chat.input.value = '';
    setBusy(true);
    announce('Je vraag is verstuurd. Even geduld, de Wegwijzer zoekt in de bronnen.');
    scrollToElement(turn, 'nearest');

    try {
      const data = await api(`${API}/ask`, { method: 'POST', body: { question, history } });
      const card = renderAnswer(data, question);
      loading.replaceWith(card);
      document.dispatchEvent(new CustomEvent('wegwijzer:answer', { detail: { card, data, question } }));
      chat.history.push({ role: 'user', text: question.slice(0, MAX_HISTORY_TEXT) });
      chat.history.push({ role: 'assistant', text: answerPlainText(data) });
      chat.history = chat.history.slice(-MAX_HISTORY);
      chat.newChat.hidden = false;
      const spoken = data.answerable === true && arr(data.answer).length
        ? `Antwoord ontvangen: ${answerPlainText(data)}`
        : str(data.message).startsWith(MSG.notFoundTitle)
          ? str(data.message)
          : `${MSG.notFoundTitle}. ${str(data.message)}`;
      announce(spoken);
      scrollToElement(turn, 'start');
    } catch (err) {
      turn.remove();
      if (!chat.input.value.trim()) chat.input.value = question;
      setAskError(err.message);
      if (examples && !chat.conversation.querySelector('.turn')) examples.hidden = false;
    } finally {
      setBusy(false);
    }
  }

  function startNewChat() {
    chat.history = [];
    for (const turn of chat.conversation.querySelectorAll('.turn')) turn.remove();
    const examples = $('#examples');
    if (examples) examples.hidden = false;
    chat.newChat.hidden = true;
    setAskError('');
    chat.input.value = '';
    chat.input.focus();
    announce('Er is een nieuw gesprek begonnen.');
  }

  function initChat() {
    chat.conversation = $('#conversation');
    chat.form = $('#ask-form');
    chat.input = $('#question');
    chat.button = $('#ask-button');
    chat.error = $('#ask-error');
    chat.live = $('#chat-live');
    chat.newChat = $('#new-chat');

    chat.form.addEventListener('submit', (event) => {
      event.preventDefault();
      ask(chat.input.value);
    });
    chat.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        ask(chat.input.value);
      }
    });
    chat.input.addEventListener('input', () => {
      if (chat.error.textContent && !chat.busy) setAskError('');
    });
    chat.newChat.addEventListener('click', startNewChat);
    for (const example of document.querySelectorAll('.example')) {
      example.addEventListener('click', () => {
        chat.input.value = example.textContent.trim();
        ask(chat.input.value);
        chat.input.focus();
      });
    }
  }

  // ---------------------------------------------------------------------------------------
  // Search mode
  // ---------------------------------------------------------------------------------------

  const search = { form: null, query: null, doc: null, topic: null, status: null, results: null, copyStatus: null, seq: 0 };

  function announceCopy(text) {
    search.copyStatus.textContent = '';
    window.setTimeout(() => {
      search.copyStatus.textContent = text;
      search.status.textContent = text;
    }, 50);
  }

  function renderResult(p, index) {
    const where = locationLabel(p);
    const quote = collapseSpace(p.text);
    return el('li', { class: 'result' },
      el('h3', { class: 'result-title' },
        el('span', { class: 'visually-hidden' }, `Resultaat ${index + 1}: `), str(p.title) || str(p.doc_id)),
      where ? el('p', { class: 'result-meta' }, where) : null,
      el('p', { class: 'result-text' }, str(p.text)),
      el('div', { class: 'result-actions' },
        copyButton(() => citationText(p, quote), announceCopy),
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
      search.results.replaceChildren(...passages.map(renderResult));
      search.status.textContent = passages.length
        ? `${passages.length} ${passages.length === 1 ? 'passage' : 'passages'} gevonden.`
        : 'Geen passages gevonden. Probeer andere woorden of haal een filter weg.';
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

  function initSearch() {
    search.form = $('#search-form');
    search.query = $('#search-query');
    search.doc = $('#search-doc');
    search.topic = $('#search-topic');
    search.status = $('#search-status');
    search.results = $('#search-results');
    search.copyStatus = $('#copy-status');
    search.form.addEventListener('submit', runSearch);
  }

  // ---------------------------------------------------------------------------------------
  // Tabs
  // ---------------------------------------------------------------------------------------

  function initTabs() {
    const tabs = [...document.querySelectorAll('[role="tab"]')];
    const select = (tab, focus) => {
      for (const t of tabs) {
        const selected = t === tab;
        t.setAttribute('aria-selected', selected ? 'true' : 'false');
        t.tabIndex = selected ? 0 : -1;
        document.getElementById(t.getAttribute('aria-controls')).hidden = !selected;
      }
      if (focus) tab.focus();
    };
    tabs.forEach((tab, i) => {
      tab.addEventListener('click', () => select(tab, false));
      tab.addEventListener('keydown', (event) => {
        let next = null;
        if (event.key === 'ArrowRight') next = tabs[(i + 1) % tabs.length];
        else if (event.key === 'ArrowLeft') next = tabs[(i - 1 + tabs.length) % tabs.length];
        else if (event.key === 'Home') next = tabs[0];
        else if (event.key === 'End') next = tabs[tabs.length - 1];
        if (next) {
          event.preventDefault();
          select(next, true);
        }
      });
    });
  }

  // ---------------------------------------------------------------------------------------
  // Documents and glossary (loaded once)
  // ---------------------------------------------------------------------------------------

  async function loadDocuments() {
    const list = $('#document-list');
    try {
      const data = await api(`${API}/documents`);
      const docs = arr(data.documents).filter((d) => d && str(d.doc_id));
      const select = search.doc;
      for (const d of docs) {
        select.append(el('option', { value: str(d.doc_id) }, str(d.title) || str(d.doc_id)));
      }
      list.replaceChildren(...docs.map((d) => {
        const meta = [str(d.publisher), d.year ? str(d.year) : ''].filter(Boolean).join(', ');
        const url = safeHttpUrl(d.url);
        return el('li', null,
          el('span', { class: 'doc-title' }, str(d.title) || str(d.doc_id)),
          meta ? el('span', { class: 'doc-meta' }, ` (${meta})`) : null,
          url ? el('a', { href: url, target: '_blank', rel: 'noopener noreferrer', class: 'doc-link' },
            'bron', el('span', { class: 'visually-hidden' }, ` van ${str(d.title)} (opent in een nieuw venster)`)) : null);
      }));
      if (!docs.length) list.replaceChildren(el('li', { class: 'muted' }, 'Er zijn nog geen documenten geladen.'));
    } catch {
      list.replaceChildren(el('li', { class: 'muted' }, 'De lijst met documenten kon niet worden geladen.'));
    }
  }

  async function loadGlossary() {
    try {
      const data = await api(`${API}/glossary`);
      glossary.entries = arr(data.terms)
        .filter((t) => t && str(t.term) && str(t.explanation))
        .map((t) => ({ term: str(t.term), explanation: str(t.explanation), aliases: arr(t.aliases).map(str).filter(Boolean) }));
    } catch {
      glossary.entries = []; // answers still work, just without tooltips
    }
  }

  function init() {
    initDialog();
    initTooltips();
    initTabs();
    initChat();
    initSearch();
    loadDocuments();
    loadGlossary();
    document.documentElement.classList.add('js-ready');
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
