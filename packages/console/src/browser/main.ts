/**
 * The Twofold admin console: sign in with an admin API key, then Settings, Overview, Users and
 * Audit, one page at a time by the URL's fragment (#/users/alice). The key stays in this tab's
 * sessionStorage; a key the API stops accepting signs the person out.
 */
import { AdminApi, ApiError } from './api';
import { el, replace } from './dom';
import { auditPage } from './pages/audit';
import { overviewPage } from './pages/overview';
import { settingsPage } from './pages/settings';
import { signInPage } from './pages/sign-in';
import { userPage } from './pages/user';
import { usersPage } from './pages/users';
import type { PageContext } from './page-context';
import { session } from './session';


type Page = (ctx: PageContext, param?: string) => Promise<void> | void;

const nav: { hash: string; label: string; page: Page; match: RegExp }[] = [
  { hash: '#/settings', label: 'Settings', page: settingsPage, match: /^\/settings$/ },
  { hash: '#/overview', label: 'Overview', page: overviewPage, match: /^\/overview$/ },
  { hash: '#/users', label: 'Users', page: usersPage, match: /^\/users(\/.*)?$/ },
  { hash: '#/audit', label: 'Audit', page: auditPage, match: /^\/audit$/ },
];

const app = document.getElementById('app')!;
let generation = 0;

function signOut(notice?: string) {
  session.signOut();
  generation++;
  history.replaceState(null, '', location.pathname);
  showSignIn(notice);
}

function showSignIn(notice?: string) {
  signInPage(app, {
    notice,
    signedIn: (key) => {
      session.signIn(key);
      if (!location.hash || location.hash === '#') history.replaceState(null, '', '#/overview');
      render();
    },
  });
}

function render() {
  const key = session.key();
  if (!key) return showSignIn();
  const [path = '', rawQuery = ''] = location.hash.replace(/^#/, '').split('?');
  const current = nav.find((n) => n.match.test(path));
  if (!current) return void location.replace('#/overview');

  const mine = ++generation;
  const main = el('main', { id: 'main', class: 'main', tabindex: '-1' });
  const header = el(
    'header',
    { class: 'topbar' },
    el('a', { class: 'brand', href: '#/overview' }, el('span', { class: 'brand-mark', 'aria-hidden': 'true' }), el('span', {}, 'Twofold'), el('span', { class: 'brand-sub' }, 'Admin console')),
    el(
      'nav',
      { class: 'nav', 'aria-label': 'Console' },
      el('ul', {}, nav.map((n) => el('li', {}, el('a', { href: n.hash, class: 'nav-link', 'aria-current': n === current ? 'page' : false }, n.label)))),
    ),
    el('button', { type: 'button', class: 'button secondary signout', on: { click: () => signOut() } }, 'Sign out'),
  );
  replace(app, el('a', { class: 'skip', href: '#main', on: { click: (e) => (e.preventDefault(), main.focus()) } }, 'Skip to content'), header, main);

  const ctx: PageContext = {
    api: new AdminApi(key),
    main,
    query: new URLSearchParams(rawQuery),
    alive: () => mine === generation,
    go: (hash) => {
      location.hash = hash;
    },
    fail: (error) => {
      if (mine !== generation) return;
      if (error instanceof ApiError && error.status === 401) return signOut('Twofold no longer accepts this admin API key (it may have been revoked). Sign in again.');
      const message = error instanceof Error ? error.message : 'Something went wrong.';
      main.prepend(el('div', { class: 'alert error', role: 'alert' }, message));
    },
  };
  const userId = /^\/users\/(.+)$/.exec(path)?.[1];
  const page: Page = current.label === 'Users' && userId ? userPage : current.page;
  let param: string | undefined;
  try {
    param = userId ? decodeURIComponent(userId) : undefined;
  } catch {
    param = userId;
  }
  Promise.resolve(page(ctx, param)).catch(ctx.fail);
}

window.addEventListener('hashchange', render);
render();
