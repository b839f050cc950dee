// The login form: POST /api/v1/auth/login (JSON), keep the CSRF token for this tab, go on.
import { rememberCsrf } from './dom.js';

const form = document.getElementById('login');
const error = document.getElementById('error');
const submit = document.getElementById('submit');

/** Only a same-origin path may be the destination after login (no open redirect). */
function nextPage() {
  const next = new URLSearchParams(location.search).get('next') ?? '/';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

function showError(message) {
  error.textContent = message;
  error.hidden = false;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  submit.disabled = true;
  try {
    const res = await fetch('/api/v1/auth/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ username: form.username.value, password: form.password.value }),
    });
    const body = await res.json().catch(() => null);
    if (!res.ok) {
      const retry = res.headers.get('Retry-After');
      showError((body?.error?.message ?? `${res.status} ${res.statusText}`) + (retry ? ` (try again in ${retry} s)` : ''));
      return;
    }
    rememberCsrf(body.csrfToken);
    form.password.value = '';
    location.assign(nextPage());
  } catch (e) {
    showError(`cannot reach the controller: ${e.message}`);
  } finally {
    submit.disabled = false;
  }
});
