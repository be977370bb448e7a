/*
 * The conversation: asking a question (with the earlier turns as history), the example
 * questions, and starting a new chat.
 */

import { NOT_FOUND_TITLE, renderAnswer } from './answer.js';
import { API, api } from './api.js';
import { $, announceIn, arr, collapseSpace, el, scrollToElement, str } from './dom.js';

const MIN_QUESTION = 3;
const MAX_QUESTION = 1000;
const MAX_HISTORY = 10; // turns sent along with a follow-up question
const MAX_HISTORY_TEXT = 1000; // characters per turn

const MSG = {
  tooShort: `Typ een vraag van minstens ${MIN_QUESTION} tekens.`,
  tooLong: `Je vraag is te lang. Gebruik maximaal ${MAX_QUESTION} tekens.`,
  busy: 'Even geduld: de Wegwijzer zoekt nog in de bronnen.',
};

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

const announce = (text) => announceIn(chat.live, text);

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
    : str(data.message) || NOT_FOUND_TITLE;
  return (collapseSpace(text) || NOT_FOUND_TITLE).slice(0, MAX_HISTORY_TEXT);
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
    // related.js adds the bank's related questions under the answer.
    document.dispatchEvent(new CustomEvent('wegwijzer:answer', { detail: { card, data, question } }));
    chat.history.push({ role: 'user', text: question.slice(0, MAX_HISTORY_TEXT) });
    chat.history.push({ role: 'assistant', text: answerPlainText(data) });
    chat.history = chat.history.slice(-MAX_HISTORY);
    chat.newChat.hidden = false;
    const spoken = data.answerable === true && arr(data.answer).length
      ? `Antwoord ontvangen: ${answerPlainText(data)}`
      : str(data.message).startsWith(NOT_FOUND_TITLE)
        ? str(data.message)
        : `${NOT_FOUND_TITLE}. ${str(data.message)}`;
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

export function initChat() {
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
