/*
 * Small DOM helpers for the Wegwijzer web chat (text only; no HTML parsing).
 *
 * Security rule for every module of the web chat: every string that comes from the server is
 * inserted with textContent, Text nodes or setAttribute (never innerHTML), so a passage
 * containing markup is shown as plain text. No inline scripts or handlers (CSP script-src 'self').
 */

export const $ = (selector, root = document) => root.querySelector(selector);

/**
 * Create an element. props: class, text, dataset, on<event> handlers, other attributes.
 * Children: nodes or strings (strings become Text nodes).
 */
export function el(tag, props, ...children) {
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

export const str = (value) => (typeof value === 'string' ? value : value == null ? '' : String(value));
export const arr = (value) => (Array.isArray(value) ? value : []);

export function collapseSpace(text) {
  return str(text).replace(/\s+/g, ' ').trim();
}

export const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let idSeq = 0;

/** The next number for element ids made on the page (tooltips and feedback share it). */
export function nextIdNumber() {
  idSeq += 1;
  return idSeq;
}

/** Put `text` in a live region; emptied first so repeating the same text is read again. */
export function announceIn(region, text, alsoShowIn = null) {
  region.textContent = '';
  window.setTimeout(() => {
    region.textContent = text;
    if (alsoShowIn) alsoShowIn.textContent = text;
  }, 50);
}

function prefersReducedMotion() {
  return window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}

export function scrollToElement(node, block = 'start') {
  node.scrollIntoView({ block, behavior: prefersReducedMotion() ? 'auto' : 'smooth' });
}

export function safeHttpUrl(value) {
  try {
    const url = new URL(str(value), window.location.href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
