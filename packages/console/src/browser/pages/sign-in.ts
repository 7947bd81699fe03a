/**
 * Sign in with an admin API key. The key is checked by an admin-only call before it is kept: an
 * unknown key and an app key each get their own message, and nothing else happens.
 */
import { AdminApi, ApiError } from '../api';
import { el, replace } from '../dom';

export function signInPage(app: HTMLElement, { notice, signedIn }: { notice?: string; signedIn: (key: string) => void }) {
  const input = el('input', { id: 'admin-key', name: 'admin-key', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'admin-key-help' });
  const message = el('p', { id: 'sign-in-message', class: 'form-message', role: 'alert' }, notice ?? '');
  if (notice) message.classList.add('error');
  const button = el('button', { type: 'submit', class: 'button primary wide' }, 'Sign in');
  const form = el(
    'form',
    {
      class: 'sign-in-form',
      novalidate: true,
      on: {
        submit: (event) => {
          event.preventDefault();
          void attempt();
        },
      },
    },
    el('label', { for: 'admin-key' }, 'Admin API key'),
    input,
    el('p', { id: 'admin-key-help', class: 'help' }, 'An admin key of your workspace (tf_…). It stays in this browser tab only and is forgotten when you close it.'),
    message,
    button,
  );

  async function attempt() {
    const key = input.value.trim();
    message.classList.add('error');
    if (!key) return void (message.textContent = 'Enter your admin API key.');
    button.disabled = true;
    message.classList.remove('error');
    message.textContent = 'Checking the key…';
    try {
      // an admin-only call: an app key is refused here, before the key is kept
      await new AdminApi(key).overview();
      signedIn(key);
    } catch (error) {
      message.classList.add('error');
      message.textContent =
        error instanceof ApiError && error.status === 401
          ? 'This key was not accepted. Check that you pasted the whole admin API key.'
          : error instanceof ApiError && error.status === 403
            ? 'This is an app key. The console needs an admin API key.'
            : error instanceof Error
              ? error.message
              : 'The key could not be checked.';
      button.disabled = false;
      input.select();
    }
  }

  replace(
    app,
    el(
      'main',
      { class: 'sign-in' },
      el(
        'div',
        { class: 'card sign-in-card' },
        el('div', { class: 'brand big' }, el('span', { class: 'brand-mark', 'aria-hidden': 'true' }), el('span', {}, 'Twofold')),
        el('h1', {}, 'Sign in to the admin console'),
        el('p', { class: 'muted' }, 'Manage two-factor settings, see adoption, and help users who are locked out.'),
        form,
      ),
    ),
  );
  input.focus();
}
