// Question-bank features of the chat: "Verwante vragen" under every answer, the start page's
// example questions from the bank, and sending a "niet in de bronnen" answer as feedback.
//
// The chat (chat.js) stays unaware of this module except for one event: after rendering an
// answer it dispatches `wegwijzer:answer` on document with detail { card, data, question }.
// Questions are asked through the chat's own form, so validation, history and errors are
// handled by chat.js exactly as for typed questions.

import { API } from './api.js';
import { el } from './dom.js';

function askInChat(question) {
  const form = document.getElementById('ask-form');
  const input = document.getElementById('question');
  if (!form || !input) return;
  input.value = question;
  form.requestSubmit();
}

function questionButton(question, className) {
  const button = el('button', { type: 'button', class: className }, question);
  button.addEventListener('click', () => askInChat(question));
  return button;
}

function renderRelated(card, questions) {
  const list = questions.filter((q) => typeof q === 'string' && q.trim()).slice(0, 4);
  if (!list.length) return;
  const id = `related-${document.querySelectorAll('.related').length + 1}`;
  card.append(el('nav', { class: 'related', 'aria-labelledby': id },
    el('h4', { class: 'related-title', id }, 'Verwante vragen'),
    el('ul', { class: 'related-list' },
      ...list.map((q) => el('li', null, questionButton(q, 'example related-question'))))));
}

function renderSendUnanswered(card, question) {
  const status = el('p', { class: 'feedback-status', 'aria-live': 'polite' });
  const button = el('button', { type: 'button', class: 'button small send-unanswered' },
    'Stuur deze vraag naar de makers');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const response = await fetch(`${API}/feedback`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          rating: 'down',
          remark: 'Niet in de bronnen',
          question: question.slice(0, 2000),
          citation_ids: [],
        }),
      });
      if (!response.ok) throw new Error(String(response.status));
      button.remove();
      status.textContent = 'Bedankt! We kijken of we deze vraag kunnen beantwoorden.';
    } catch {
      button.disabled = false;
      status.textContent = 'Het versturen is niet gelukt. Probeer het later nog eens.';
    }
  });
  card.append(el('div', { class: 'send-unanswered-box' },
    el('p', { class: 'small' }, 'Staat het antwoord niet in de bronnen? Laat het ons weten, dan zoeken we het uit.'),
    button, status));
}

async function loadExamples() {
  const list = document.querySelector('#examples .example-list');
  if (!list) return;
  let data;
  try {
    const response = await fetch(`${API}/examples`);
    if (!response.ok) return;
    data = await response.json();
  } catch {
    return; // the examples in the page stay
  }
  const examples = Array.isArray(data && data.examples) ? data.examples : [];
  const questions = examples.map((e) => e && e.question).filter((q) => typeof q === 'string' && q);
  if (!questions.length) return;
  list.replaceChildren(...questions.map((q) => el('li', null, questionButton(q, 'example'))));
}

document.addEventListener('wegwijzer:answer', (event) => {
  const { card, data, question } = event.detail || {};
  if (!card || !data) return;
  if (data.answerable !== true && typeof question === 'string') renderSendUnanswered(card, question);
  renderRelated(card, Array.isArray(data.related_questions) ? data.related_questions : []);
});

loadExamples();
