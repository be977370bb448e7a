/* The documents the Wegwijzer uses: loaded once into the list at the bottom and the search filter. */

import { API, api } from './api.js';
import { $, arr, el, safeHttpUrl, str } from './dom.js';

export async function loadDocuments() {
  const list = $('#document-list');
  try {
    const data = await api(`${API}/documents`);
    const docs = arr(data.documents).filter((d) => d && str(d.doc_id));
    const select = $('#search-doc');
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
