/**
 * A page of the audit trail as a table, with Previous/Next through the API's cursors. Used by
 * the Audit page (filtered or not) and by a user's page. An admin's entry names the API key it
 * was made with; a settings change shows each setting before → after.
 */
import type { AuditList, AuditQuery } from '@twofold/contract/schemas';
import { el, replace } from '../dom';
import { time } from '../format';
import type { PageContext } from '../page-context';

export const PAGE_SIZE = 25;

export type AuditFilter = Omit<AuditQuery, 'cursor' | 'limit'>;
type Entry = AuditList['events'][number];

const actorLabels: Record<string, string> = { admin: 'Admin', user: 'User (app)', system: 'System' };

/** "Admin · Help desk" where the entry names the admin API key. */
function actor(e: Entry) {
  const label = actorLabels[e.actor] ?? e.actor;
  const key = e.details['byKeyName'];
  return typeof key === 'string' ? [label, el('span', { class: 'muted' }, ` · ${key}`)] : label;
}

/** A setting's value as JSON text, in words: `"all"` → all, `["totp","sms"]` → totp, sms. */
function shown(json: string | undefined): string {
  if (json === undefined) return '—';
  try {
    const value: unknown = JSON.parse(json);
    if (value === null) return 'none';
    if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map(String).join(', ');
    return typeof value === 'object' ? json : String(value);
  } catch {
    return json;
  }
}

function details(d: Entry['details']) {
  const text = (k: string) => (typeof d[k] === 'string' ? String(d[k]) : undefined);
  // a settings change: one line per setting, before → after
  const changes = Object.keys(d)
    .filter((k) => k.startsWith('after.'))
    .map((k) => k.slice('after.'.length));
  const rest = Object.entries(d).filter(([k]) => !k.startsWith('before.') && !k.startsWith('after.') && k !== 'byKeyId' && k !== 'byKeyName' && !(changes.length > 0 && k === 'changed'));
  if (changes.length === 0 && rest.length === 0) return el('span', { class: 'muted' }, '—');
  return el(
    'ul',
    { class: 'details' },
    changes.map((path) => el('li', {}, el('span', { class: 'detail-key' }, path), ' ', el('span', { class: 'detail-value' }, `${shown(text(`before.${path}`))} → ${shown(text(`after.${path}`))}`))),
    rest.map(([k, v]) => el('li', {}, el('span', { class: 'detail-key' }, k), ' ', el('span', { class: 'detail-value' }, v === null ? 'null' : String(v)))),
  );
}

/** A paged audit table for `userId` (or everyone) in `host`. */
export function auditTable(ctx: PageContext, host: HTMLElement, options: { query: AuditFilter; showUser: boolean; label: string }) {
  const cursors: (string | null)[] = [null];
  let page = 0;

  async function load() {
    replace(host, el('p', { class: 'muted' }, 'Loading…'));
    try {
      const list = await ctx.api.audit({ ...options.query, ...(cursors[page] ? { cursor: cursors[page] } : {}), limit: PAGE_SIZE });
      if (!ctx.alive()) return;
      cursors[page + 1] = list.nextCursor;
      draw(list);
    } catch (error) {
      replace(host);
      ctx.fail(error);
    }
  }

  function draw(list: AuditList) {
    const previous = el('button', { type: 'button', class: 'button secondary', disabled: page === 0, on: { click: () => (page--, void load()) } }, 'Previous page');
    const next = el('button', { type: 'button', class: 'button secondary', disabled: !list.nextCursor, on: { click: () => (page++, void load()) } }, 'Next page');
    const table =
      list.events.length === 0
        ? el('p', { class: 'muted empty' }, page > 0 ? 'No more events.' : Object.keys(options.query).some((k) => k !== 'userId') ? 'No events match these filters.' : 'No events yet.')
        : el(
            'table',
            { class: 'table', 'aria-label': options.label },
            el(
              'thead',
              {},
              el('tr', {}, el('th', { scope: 'col' }, 'Time'), el('th', { scope: 'col' }, 'Event'), options.showUser ? el('th', { scope: 'col' }, 'User') : null, el('th', { scope: 'col' }, 'Actor'), el('th', { scope: 'col' }, 'Details')),
            ),
            el(
              'tbody',
              {},
              list.events.map((e) =>
                el(
                  'tr',
                  {},
                  el('td', { class: 'nowrap' }, time(e.at)),
                  el('td', {}, el('code', { class: 'event-type' }, e.type)),
                  options.showUser ? el('td', {}, e.userId ? el('a', { href: `#/users/${encodeURIComponent(e.userId)}` }, e.userId) : el('span', { class: 'muted' }, 'Workspace')) : null,
                  el('td', {}, actor(e)),
                  el('td', {}, details(e.details)),
                ),
              ),
            ),
          );
    replace(host, table, el('div', { class: 'pager' }, el('span', { class: 'muted' }, `Page ${page + 1}`), previous, next));
  }

  return load();
}
