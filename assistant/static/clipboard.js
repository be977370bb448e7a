/* Copying a citation: the Clipboard API, with a hidden textarea as the fallback. */

import { el } from './dom.js';

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
  // Inside an open modal dialog (the source dialog) the rest of the page is inert.
  const openDialog = document.querySelector('dialog[open]');
  (openDialog || document.body).append(buffer);
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
export function copyButton(getText, announce) {
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
