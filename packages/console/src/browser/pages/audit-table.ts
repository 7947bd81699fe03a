/**
 * A page of the audit trail as a table, with Previous/Next through the API's cursors. Used by
 * the Audit page (every user, or one) and by a user's page.
 */
import type { AuditList } from '@twofold/contract/schemas';
import { el, replace } from '../dom';
import { time } from '../format';
import type { PageContext } from '../main';

export const PAGE_SIZE = 25;

const actorLabels: Record<string, string> = { admin: 'Admin', user: 'User (app)', system: 'System' };

function details(d: AuditList['events'][number]['details']) {
  const entries = Object.entries(d);
  if (entries.length === 0) return el('span', { class: 'muted' }, '—');
  return el(
    'ul',
    { class: 'details' },
    entries.map(([k, v]) => el('li', {}, el('span', { class: 'detail-key' }, k), ' ', el('span', { class: 'detail-value' }, v === null ? 'null' : String(v)))),
  );
}

/** A paged audit table for `userId` (or everyone) in `host`. */
export function auditTable(ctx: PageContext, host: HTMLElement, options: { userId?: string; showUser: boolean; label: string }) {
  const cursors: (string | null)[] = [null];
  let page = 0;

  async function load() {
    replace(host, el('p', { class: 'muted' }, 'Loading…'));
    try {
      const list = await ctx.api.audit({ ...(options.userId ? { userId: options.userId } : {}), cursor: cursors[page], limit: PAGE_SIZE });
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
        ? el('p', { class: 'muted empty' }, page === 0 ? 'No events yet.' : 'No more events.')
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
                  el('td', {}, actorLabels[e.actor] ?? e.actor),
                  el('td', {}, details(e.details)),
                ),
              ),
            ),
          );
    replace(host, table, el('div', { class: 'pager' }, el('span', { class: 'muted' }, `Page ${page + 1}`), previous, next));
  }

  return load();
}
