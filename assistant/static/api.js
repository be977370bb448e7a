/*
 * Calls to the Wegwijzer API: JSON in and out, a timeout, and every failure turned into an
 * ApiError with a plain Dutch message for the user.
 */

import { str } from './dom.js';

export const API = '/api/v1';
const REQUEST_TIMEOUT_MS = 90000;

const MSG = {
  network:
    'Er is nu geen verbinding met de Wegwijzer. Controleer je internetverbinding en probeer het nog een keer.',
  timeout: 'Het duurt te lang voordat er een antwoord komt. Probeer het straks nog een keer.',
  server: 'Er ging bij ons iets mis. Probeer het over een paar minuten nog een keer.',
  client: 'Dit lukte niet. Pas je vraag aan en probeer het opnieuw.',
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

class ApiError extends Error {
  constructor(message, status, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
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
