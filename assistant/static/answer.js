/*
 * One answer card: the topic, the short answer, 'Meer uitleg', 'Wat kun je doen?', the rules
 * and parties, the sources and the feedback box; or, when the sources have no answer, the
 * not-found message with the closest passages.
 */

import { addresseeLabel, addresseeNote } from './addressees.js';
import { placeLabel, placeNote } from './places.js';
import { citationButton, kindLabel, locationLabel, scopeNotes, showCitation, sourceLabel } from './citations.js';
import { renderReadAs } from './corrections.js';
import { arr, collapseSpace, el, escapeRegExp, str } from './dom.js';
import { renderFeedback } from './feedback.js';
import { appendWithFootnotes } from './footnotes.js';
import { appendWithGaps, GAP_MARK, gapNote, gapOffsets, hasGaps, withGapMarks } from './gaps.js';
import { appendWithTerms, termMatcher } from './terms.js';

export const NOT_FOUND_TITLE = 'Dit staat niet in de bronnen';
const NOT_FOUND_DEFAULT = 'De Wegwijzer heeft in de documenten geen antwoord op deze vraag gevonden.';

const TOPIC_LABELS = {
  zorgplicht: 'Zorgplicht',
  onderwijstijd: 'Onderwijstijd',
  leerplichtontheffing: 'Vrijstelling van de leerplicht',
  financiering: 'Financiering',
  overig: 'Overig',
};

/** A label before a sentence; a screen reader hears a colon after it, so that it does not run
 * into the sentence. */
function sentenceLabel(text) {
  return el('span', { class: 'sentence-label' }, text,
    el('span', { class: 'visually-hidden' }, ':'));
}

function renderSentence(sentence, byN, matcher) {
  const span = el('span', { class: 'sentence' });
  for (const label of [addresseeLabel(sentence), placeLabel(sentence, byN)]) {
    if (label) span.append(sentenceLabel(label), ' ');
  }
  const text = str(sentence.text);
  const plain = (node, piece) => appendWithTerms(node, piece, matcher);
  appendWithGaps(span, text, gapOffsets(text, sentence.gaps),
    (node, piece) => appendWithFootnotes(node, piece, plain));
  for (const n of arr(sentence.citations)) {
    if (Number.isInteger(n)) span.append(citationButton(byN.get(n), n));
  }
  return span;
}

function renderSentences(tag, className, sentences, byN, matcher) {
  const node = el(tag, { class: className });
  sentences.filter(Boolean).forEach((sentence, i) => {
    const span = renderSentence(sentence, byN, matcher);
    if (tag === 'ul') {
      node.append(el('li', null, span));
    } else {
      if (i > 0) node.append(' ');
      node.append(span);
    }
  });
  return node;
}

/**
 * The parts of an answer: the sentences that answer first, then the explanation and what a
 * parent can do. A service from before the structured answer sends only `answer`.
 */
function answerParts(data) {
  const structured = Array.isArray(data.short_answer) && data.short_answer.length > 0;
  return {
    short: structured ? arr(data.short_answer) : arr(data.answer),
    explanation: structured ? arr(data.explanation) : [],
    steps: structured ? arr(data.next_steps) : [],
  };
}

/** The answer's text, part by part, under their headings. */
function renderAnswerText(data, { short, explanation, steps }, byN) {
  const matcher = termMatcher(data.terms);
  const box = el('div', { class: 'answer-text' });
  box.append(
    el('h4', { class: 'answer-part-title' }, 'Kort antwoord'),
    renderSentences('p', 'answer-short', short, byN, matcher));
  if (explanation.length) {
    box.append(el('section', { class: 'answer-explanation' },
      el('h4', { class: 'answer-part-title' }, 'Meer uitleg'),
      renderSentences('p', 'answer-more', explanation, byN, matcher)));
  }
  if (steps.length) {
    box.append(el('section', { class: 'answer-steps' },
      el('h4', { class: 'answer-part-title' }, 'Wat kun je doen?'),
      renderSentences('ul', 'steps-list', steps, byN, matcher)));
  }
  if (hasGaps([...short, ...explanation, ...steps])) box.append(gapNote());
  return box;
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
      kindLabel(c) ? el('span', { class: 'source-kind' }, kindLabel(c)) : null,
      locationLabel(c) ? el('span', { class: 'source-where' }, locationLabel(c)) : null)));
  }
  return el('div', { class: 'sources-box' }, el('h4', { class: 'sources-title' }, title), list);
}

/** The first `limit` characters of `text`, cut at a space (no half word, no half mark). */
function cutAtWord(text, limit) {
  const space = text.lastIndexOf(' ', limit);
  return text.slice(0, space > 0 ? space : limit);
}

function renderNotFound(data, citations) {
  // The heading already says "Dit staat niet in de bronnen"; do not repeat it as a sentence.
  const repeated = new RegExp(`^\\s*${escapeRegExp(NOT_FOUND_TITLE)}\\s*[.!:]?\\s*`, 'i');
  const message = str(data.message).replace(repeated, '').trim();
  const box = el('div', { class: 'not-found' },
    el('h4', { class: 'not-found-title' }, NOT_FOUND_TITLE),
    el('p', null, message || NOT_FOUND_DEFAULT));
  if (citations.length) {
    box.append(el('p', { class: 'not-found-lead' },
      'Misschien heb je toch iets aan deze stukken tekst. Ze komen het dichtst bij je vraag:'));
    const list = el('ol', { class: 'closest' });
    let marked = false; // whether a quote shown holds a lost figure's mark
    for (const c of citations) {
      const quote = collapseSpace(str(c.quote)
        ? withGapMarks(str(c.quote), c.quote_gaps) : withGapMarks(str(c.text), c.gaps));
      const short = quote.length > 320 ? `${cutAtWord(quote, 317)}…` : quote;
      marked = marked || short.includes(GAP_MARK);
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
    if (marked) box.append(gapNote());
  }
  box.append(el('p', { class: 'hint' },
    'Je kunt je vraag ook anders stellen, of je vraag voorleggen aan de school, het samenwerkingsverband of een onderwijsconsulent.'));
  return box;
}

/** The answer card for one /ask response to `question`. */
export function renderAnswer(data, question) {
  const citations = arr(data.citations).filter((c) => c && typeof c === 'object');
  const byN = new Map(citations.filter((c) => Number.isInteger(c.n)).map((c) => [c.n, c]));
  const answerable = data.answerable === true && arr(data.answer).length > 0;
  const card = el('article', { class: answerable ? 'answer' : 'answer is-not-found' });
  card.append(el('h3', { class: 'visually-hidden' }, 'Antwoord van de Wegwijzer'));

  const topic = TOPIC_LABELS[str(data.topic)];
  if (answerable && topic && str(data.topic) !== 'overig') {
    card.append(el('p', { class: 'topic' }, el('span', { class: 'visually-hidden' }, 'Onderwerp: '), topic));
  }
  const readAs = renderReadAs(data.corrections);
  if (readAs) card.append(readAs);

  if (answerable) {
    const parts = answerParts(data);
    card.append(renderAnswerText(data, parts, byN));
    const shown = [...parts.short, ...parts.explanation, ...parts.steps];
    const notes = [...scopeNotes(citations), addresseeNote(shown), placeNote(shown, byN)]
      .filter(Boolean);
    if (notes.length) {
      card.append(el('div', { class: 'scope-notes' },
        ...notes.map((note) => el('p', { class: 'scope-note' }, note))));
    }
    const facts = renderFacts(data);
    if (facts) card.append(facts);
    if (citations.length) card.append(renderSourceList(citations, 'Bronnen'));
  } else {
    card.append(renderNotFound(data, citations));
  }
  card.append(renderFeedback(question, data));
  return card;
}
