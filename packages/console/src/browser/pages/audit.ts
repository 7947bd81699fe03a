/** Audit: the workspace's audit trail, newest first, a page at a time, for everyone or one user. */
import { el, replace } from '../dom';
import type { PageContext } from '../main';
import { auditTable } from './audit-table';

export async function auditPage(ctx: PageContext) {
  const userId = ctx.query.get('userId') ?? '';
  const input = el('input', { id: 'audit-user', type: 'search', autocomplete: 'off', spellcheck: 'false', value: userId, placeholder: 'e.g. alice@example.com', pattern: '[A-Za-z0-9._@:+\\-]{1,128}' });
  const filter = el(
    'form',
    {
      class: 'filters',
      role: 'search',
      novalidate: true,
      on: {
        submit: (e) => {
          e.preventDefault();
          const v = input.value.trim();
          ctx.go(v ? `#/audit?userId=${encodeURIComponent(v)}` : '#/audit');
        },
      },
    },
    el('div', { class: 'field inline' }, el('label', { for: 'audit-user' }, 'User ID'), input),
    el('button', { type: 'submit', class: 'button primary' }, 'Filter'),
    userId ? el('a', { class: 'button secondary', href: '#/audit' }, 'Show everyone') : null,
  );
  const host = el('div', { class: 'card flush' });
  replace(
    ctx.main,
    el('div', { class: 'page-head' }, el('div', {}, el('h1', {}, 'Audit'), el('p', { class: 'muted' }, userId ? `Events of ${userId}, newest first.` : 'Admin actions and security events, newest first.'))),
    filter,
    host,
  );
  await auditTable(ctx, host, { ...(userId ? { userId } : {}), showUser: true, label: 'Audit trail' });
}
