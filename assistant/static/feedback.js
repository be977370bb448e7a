/* The "Heb je iets aan dit antwoord?" box under every answer: thumbs, an optional remark. */

import { API, api } from './api.js';
import { arr, el, nextIdNumber, str } from './dom.js';

const MAX_FEEDBACK_CITATIONS = 20;
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

export function renderFeedback(question, data) {
  const citationIds = arr(data.citations)
    .map((c) => str(c && c.chunk_id))
    .filter(Boolean)
    .slice(0, MAX_FEEDBACK_CITATIONS);
  const seq = nextIdNumber();
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
