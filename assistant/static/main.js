/*
 * Onderwijs-Zorg Wegwijzer web chat: the entry point (an ES module, loaded from index.html with
 * <script type="module" src="/static/main.js">). It wires up the components:
 *
 *   dom.js        small DOM helpers (el, str, arr, live regions)
 *   api.js        fetch with a timeout; errors as plain Dutch messages
 *   terms.js      glossary terms with tooltips
 *   clipboard.js  the "Kopieer citaat" button
 *   citations.js  source labels (and what kind of document: a plan is no rule), [n] buttons,
 *                 the source dialog with highlights
 *   corrections.js  "We zochten op …": mistyped words the service read as the documents' words
 *   gaps.js       [getal] where the text extraction lost a figure, and what that means
 *   footnotes.js  footnote markers glued to the text ("aanbod.38") as superscript references
 *   addressees.js "Suggesties voor scholen" before a sentence from suggestions to others
 *   places.js     "Voorbeeld uit Amersfoort" before one municipality's example
 *   answer.js     one answer card (short answer, explanation, next steps, facts, sources, not found)
 *   feedback.js   the feedback box under an answer
 *   related.js    "Verwante vragen" under an answer, the start page's example questions, and
 *                 sending a "niet in de bronnen" answer as feedback
 *   chat.js       the conversation, history and new chat
 *   search.js     search mode
 *   documents.js  the document list and the search filter
 *   tabs.js       the two tabs
 *
 * Security rule for every module: every string that comes from the server is inserted with
 * textContent, Text nodes or setAttribute (never innerHTML), so a passage containing markup
 * is shown as plain text. No inline scripts or handlers (CSP script-src 'self').
 */

import { initChat } from './chat.js';
import { initDialog } from './citations.js';
import { loadDocuments } from './documents.js';
import { initSearch } from './search.js';
import { initTabs } from './tabs.js';
import { initTooltips, loadGlossary } from './terms.js';
import './related.js';

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
