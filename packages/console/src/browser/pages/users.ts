/**
 * Users: the admin list (GET /v1/admin/users) filtered by status and role, a page at a time,
 * each row leading to the user's page; and a box to open a user by id.
 */
import type { AdminUserList, User } from '@twofold/contract/schemas';
import { el, replace } from '../dom';
import { badge, enforcementLabels, factorLabels, time } from '../format';
import type { PageContext } from '../page-context';
import { PAGE_SIZE } from './audit-table';

const statusOptions: [string, string][] = [
  ['', 'All statuses'],
  ['enrolled', 'Enrolled'],
  ['pending', 'Pending'],
  ['not_started', 'Not started'],
];

export const lockState = (u: Pick<User, 'lockedUntil'>) => (u.lockedUntil ? el('span', { class: 'badge badge-locked' }, 'Locked until ', time(u.lockedUntil)) : el('span', { class: 'muted' }, 'Not locked'));

export async function usersPage(ctx: PageContext) {
  const status = ctx.query.get('status') ?? '';
  const role = ctx.query.get('role') ?? '';
  const locked = ctx.query.get('locked') === 'true';

  const statusSelect = el('select', { id: 'filter-status' }, statusOptions.map(([v, label]) => el('option', { value: v, selected: v === status }, label)));
  const roleInput = el('input', { id: 'filter-role', type: 'search', autocomplete: 'off', value: role, placeholder: 'e.g. admin' });
  const lockedBox = el('input', { id: 'filter-locked', type: 'checkbox', checked: locked });
  const apply = () => {
    const q = new URLSearchParams();
    if (statusSelect.value) q.set('status', statusSelect.value);
    if (roleInput.value.trim()) q.set('role', roleInput.value.trim());
    if (lockedBox.checked) q.set('locked', 'true');
    const qs = q.toString();
    ctx.go(qs ? `#/users?${qs}` : '#/users');
  };
  statusSelect.addEventListener('change', apply);
  lockedBox.addEventListener('change', apply);
  const filters = el(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter users', novalidate: true, on: { submit: (e) => (e.preventDefault(), apply()) } },
    el('div', { class: 'field inline' }, el('label', { for: 'filter-status' }, 'Status'), statusSelect),
    el('div', { class: 'field inline' }, el('label', { for: 'filter-role' }, 'Role'), roleInput),
    el('div', { class: 'field-check' }, lockedBox, el('label', { for: 'filter-locked' }, 'Locked out now')),
    el('button', { type: 'submit', class: 'button primary' }, 'Filter'),
    status || role || locked ? el('a', { class: 'button secondary', href: '#/users' }, 'Clear filters') : null,
  );

  const openInput = el('input', { id: 'open-user', type: 'search', autocomplete: 'off', spellcheck: 'false', placeholder: 'userId' });
  const open = el(
    'form',
    {
      class: 'filters open-user',
      'aria-label': 'Open a user',
      novalidate: true,
      on: {
        submit: (e) => {
          e.preventDefault();
          const id = openInput.value.trim();
          if (id) ctx.go(`#/users/${encodeURIComponent(id)}`);
        },
      },
    },
    el('div', { class: 'field inline' }, el('label', { for: 'open-user' }, 'Find a user by ID'), openInput),
    el('button', { type: 'submit', class: 'button secondary' }, 'Open'),
  );

  const host = el('div', { class: 'card flush' });
  replace(
    ctx.main,
    el('div', { class: 'page-head' }, el('div', {}, el('h1', {}, 'Users'), el('p', { class: 'muted' }, 'Everyone Twofold knows in this workspace, with their two-factor status.')), open),
    filters,
    host,
  );

  const cursors: (string | null)[] = [null];
  let page = 0;
  async function load() {
    replace(host, el('p', { class: 'muted' }, 'Loading…'));
    try {
      const list = await ctx.api.users({ ...(status ? { status } : {}), ...(role ? { role } : {}), ...(locked ? { locked: 'true' } : {}), cursor: cursors[page], limit: PAGE_SIZE });
      if (!ctx.alive()) return;
      cursors[page + 1] = list.nextCursor;
      draw(list);
    } catch (error) {
      replace(host);
      ctx.fail(error);
    }
  }

  function draw(list: AdminUserList) {
    const previous = el('button', { type: 'button', class: 'button secondary', disabled: page === 0, on: { click: () => (page--, void load()) } }, 'Previous page');
    const next = el('button', { type: 'button', class: 'button secondary', disabled: !list.nextCursor, on: { click: () => (page++, void load()) } }, 'Next page');
    const table =
      list.users.length === 0
        ? el('p', { class: 'muted empty' }, status || role || locked ? 'No user matches these filters.' : 'No users yet.')
        : el(
            'table',
            { class: 'table', 'aria-label': 'Users' },
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                ['User', 'Status', 'Roles', 'Factors', 'Recovery codes', 'Lock', 'Enforcement'].map((h) => el('th', { scope: 'col', class: h === 'Recovery codes' ? 'num' : false }, h)),
              ),
            ),
            el(
              'tbody',
              {},
              list.users.map((u) =>
                el(
                  'tr',
                  {},
                  el('td', {}, el('a', { href: `#/users/${encodeURIComponent(u.userId)}`, class: 'strong' }, u.userId)),
                  el('td', {}, badge(u.status)),
                  el('td', {}, u.roles.length ? u.roles.map((r) => el('span', { class: 'chip' }, r)) : el('span', { class: 'muted' }, '—')),
                  el('td', {}, u.factors.filter((f) => f.status === 'active').map((f) => factorLabels[f.type] ?? f.type).join(', ') || el('span', { class: 'muted' }, 'None')),
                  el('td', { class: 'num' }, u.status === 'enrolled' ? u.recoveryCodesRemaining : el('span', { class: 'muted' }, '—')),
                  el('td', {}, lockState(u)),
                  el('td', {}, badge(u.enforcement.state, enforcementLabels)),
                ),
              ),
            ),
          );
    replace(host, table, el('div', { class: 'pager' }, el('span', { class: 'muted' }, `Page ${page + 1}`), previous, next));
  }

  await load();
}
