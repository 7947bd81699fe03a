/**
 * Audit: the workspace's audit trail, newest first, a page at a time, filtered by user, event
 * type and dates (From and To are whole days, To included: the API's `to` is the day after).
 */
import type { SecurityEventType } from '@twofold/contract/events';
import { el, replace } from '../dom';
import type { PageContext } from '../page-context';
import { auditTable, type AuditFilter } from './audit-table';

/** Every event type, in words (a new type without words here does not compile). */
export const eventTypeLabels = {
  'two_factor.enabled': 'Two-factor turned on',
  'two_factor.disabled': 'Two-factor turned off',
  'factor.added': 'Method added',
  'factor.imported': 'Method imported',
  'factor.removed': 'Method removed',
  'recovery_code.used': 'Recovery code used',
  'recovery_codes.low': 'Recovery codes running low',
  'recovery_codes.regenerated': 'Recovery codes regenerated',
  'recovery_codes.viewed': 'Recovery codes viewed',
  'user.locked': 'User locked out',
  'user.lockout_notified': 'Lockout notice sent',
  'device.trusted': 'Device remembered',
  'device.revoked': 'Device forgotten',
  'enforcement.grace_expired': 'Grace period ended',
  'user.unlocked': 'User unlocked',
  'user.reset': 'Two-factor reset',
  'user.deleted': 'User erased',
  'policy.updated': 'Settings changed',
} as const satisfies Record<SecurityEventType, string>;

const isEventType = (v: string): v is SecurityEventType => Object.hasOwn(eventTypeLabels, v);
const isDay = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);
const dayAfter = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

export async function auditPage(ctx: PageContext) {
  const q = (name: string) => ctx.query.get(name) ?? '';
  const [userId, type, from, to] = [q('userId'), q('type'), q('from'), q('to')];
  const user = el('input', { id: 'audit-user', type: 'search', autocomplete: 'off', spellcheck: 'false', value: userId, placeholder: 'e.g. alice@example.com', pattern: '[A-Za-z0-9._@:+\\-]{1,128}' });
  const typeSelect = el(
    'select',
    { id: 'audit-type' },
    el('option', { value: '' }, 'All events'),
    Object.entries(eventTypeLabels).map(([value, label]) => el('option', { value, selected: value === type }, label)),
  );
  const fromInput = el('input', { id: 'audit-from', type: 'date', value: isDay(from) ? from : '' });
  const toInput = el('input', { id: 'audit-to', type: 'date', value: isDay(to) ? to : '' });
  const filtered = Boolean(userId || type || from || to);
  const filter = el(
    'form',
    {
      class: 'filters',
      role: 'search',
      novalidate: true,
      on: {
        submit: (e) => {
          e.preventDefault();
          const params = new URLSearchParams();
          const chosen: [string, string][] = [
            ['userId', user.value.trim()],
            ['type', typeSelect.value],
            ['from', fromInput.value],
            ['to', toInput.value],
          ];
          for (const [name, value] of chosen) if (value) params.set(name, value);
          const query = params.toString();
          ctx.go(query ? `#/audit?${query}` : '#/audit');
        },
      },
    },
    el('div', { class: 'field inline' }, el('label', { for: 'audit-user' }, 'User ID'), user),
    el('div', { class: 'field inline' }, el('label', { for: 'audit-type' }, 'Event type'), typeSelect),
    el('div', { class: 'field inline' }, el('label', { for: 'audit-from' }, 'From'), fromInput),
    el('div', { class: 'field inline' }, el('label', { for: 'audit-to' }, 'To'), toInput),
    el('button', { type: 'submit', class: 'button primary' }, 'Filter'),
    filtered ? el('a', { class: 'button secondary', href: '#/audit' }, 'Clear filters') : null,
  );
  const query: AuditFilter = {
    ...(userId ? { userId } : {}),
    ...(isEventType(type) ? { type } : {}),
    ...(isDay(from) ? { from } : {}),
    ...(isDay(to) ? { to: dayAfter(to) } : {}),
  };
  const host = el('div', { class: 'card flush' });
  const what = [isEventType(type) ? eventTypeLabels[type] : 'Admin actions and security events', userId ? ` of ${userId}` : '', isDay(from) ? ` from ${from}` : '', isDay(to) ? ` to ${to}` : ''].join('');
  replace(ctx.main, el('div', { class: 'page-head' }, el('div', {}, el('h1', {}, 'Audit'), el('p', { class: 'muted' }, `${what}, newest first.`))), filter, host);
  await auditTable(ctx, host, { query, showUser: true, label: 'Audit trail' });
}
