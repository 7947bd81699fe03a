/**
 * A user's page: their factors, recovery codes remaining, lock and enforcement state; the admin
 * actions Unlock, Reset two-factor and Regenerate recovery codes, each confirmed first (new codes
 * are shown once, here); and the user's audit trail.
 */
import type { User } from '@twofold/contract/schemas';
import { ApiError } from '../api';
import { confirmAction } from '../confirm';
import { el, replace, type Child } from '../dom';
import { badge, enforcementLabels, factorLabels, plural, time } from '../format';
import type { PageContext } from '../page-context';
import { auditTable } from './audit-table';
import { lockState } from './users';

export async function userPage(ctx: PageContext, userId = '') {
  const { main } = ctx;
  replace(main, el('p', { class: 'muted' }, 'Loading…'));
  let user: User;
  try {
    user = await ctx.api.user(userId);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      return replace(main, crumbs(userId), el('h1', {}, userId), el('div', { class: 'alert', role: 'alert' }, 'Twofold has no user with this ID in this workspace.'));
    }
    throw error;
  }
  if (!ctx.alive()) return;

  const notice = el('div', { class: 'notice-host', role: 'status' });
  const codesHost = el('div', {});
  const summary = el('div', {});
  const factors = el('div', {});
  const audit = el('div', { class: 'card flush' });

  const refreshUser = async () => {
    user = await ctx.api.user(userId);
    if (!ctx.alive()) return;
    drawUser();
    await auditTable(ctx, audit, { query: { userId }, showUser: false, label: `Audit trail of ${userId}` });
  };

  async function act(action: () => Promise<unknown>, done: string, onDone?: (result: unknown) => void) {
    replace(notice);
    try {
      const result = await action();
      if (!ctx.alive()) return;
      replace(notice, el('div', { class: 'alert success' }, done));
      onDone?.(result);
      await refreshUser();
    } catch (error) {
      if (error instanceof ApiError && error.status !== 401) replace(notice, el('div', { class: 'alert error', role: 'alert' }, error.message));
      else ctx.fail(error);
    }
  }

  const unlock = el(
    'button',
    {
      type: 'button',
      class: 'button secondary',
      on: {
        click: async () => {
          const locked = user.lockedUntil !== null;
          const ok = await confirmAction({
            title: `Unlock ${userId}?`,
            body: locked ? ['The lockout ends now and ', userId, ' can try their codes again.'] : [userId, ' is not locked out; unlocking changes nothing.'],
            confirm: 'Unlock',
          });
          if (ok) await act(() => ctx.api.unlock(userId), `${userId} is unlocked.`);
        },
      },
    },
    'Unlock',
  );
  const reset = el(
    'button',
    {
      type: 'button',
      class: 'button danger-outline',
      on: {
        click: async () => {
          const ok = await confirmAction({
            title: `Reset two-factor for ${userId}?`,
            body: el('p', {}, 'This removes every factor, recovery code and trusted device of ', el('strong', {}, userId), ' and lifts any lockout. They will have to enrol again.'),
            confirm: 'Reset two-factor',
            danger: true,
          });
          if (ok) await act(() => ctx.api.reset(userId), `Two-factor was reset for ${userId}. They will enrol again at their next sign-in.`);
        },
      },
    },
    'Reset two-factor',
  );
  const regenerate = el(
    'button',
    {
      type: 'button',
      class: 'button secondary',
      on: {
        click: async () => {
          const ok = await confirmAction({
            title: `Regenerate recovery codes for ${userId}?`,
            body: el('p', {}, 'Every earlier recovery code of ', el('strong', {}, userId), ' stops working. The new codes are shown once.'),
            confirm: 'Regenerate recovery codes',
          });
          if (ok) {
            await act(
              () => ctx.api.regenerateRecoveryCodes(userId),
              `New recovery codes were made for ${userId}.`,
              (result) => showCodes((result as { recoveryCodes: string[] }).recoveryCodes),
            );
          }
        },
      },
    },
    'Regenerate recovery codes',
  );

  function showCodes(codes: string[]) {
    const copy = el('button', { type: 'button', class: 'button secondary', on: { click: () => void navigator.clipboard?.writeText(codes.join('\n')).then(() => (copy.textContent = 'Copied')) } }, 'Copy codes');
    const hide = el('button', { type: 'button', class: 'button primary', on: { click: () => replace(codesHost) } }, 'Done');
    replace(
      codesHost,
      el(
        'section',
        { class: 'card codes', 'aria-labelledby': 'codes-title' },
        el('h2', { id: 'codes-title' }, 'New recovery codes'),
        el('p', {}, 'Shown once: give them to ', el('strong', {}, userId), ' through a channel you trust. Each code works once; the earlier ones no longer work.'),
        el('ol', { class: 'code-list', 'aria-label': 'New recovery codes' }, codes.map((c) => el('li', {}, el('code', {}, c)))),
        el('div', { class: 'actions' }, copy, hide),
      ),
    );
  }

  function row(label: string, value: Child) {
    return el('div', { class: 'summary-row' }, el('dt', {}, label), el('dd', {}, value));
  }

  function drawUser() {
    const e = user.enforcement;
    replace(
      summary,
      el(
        'section',
        { class: 'card', 'aria-labelledby': 'summary-title' },
        el('h2', { id: 'summary-title' }, 'Two-factor'),
        el(
          'dl',
          { class: 'summary' },
          row('Status', badge(user.status)),
          row('Enforcement', [badge(e.state, enforcementLabels), e.required ? ' Two-factor is required' : ' Two-factor is optional', e.graceEndsAt ? [' · grace period until ', time(e.graceEndsAt)] : null]),
          row('Lock', lockState(user)),
          row('Recovery codes remaining', user.status === 'enrolled' ? plural(user.recoveryCodesRemaining, 'code') : '—'),
          row('Roles', user.roles.length ? user.roles.map((r) => el('span', { class: 'chip' }, r)) : '—'),
          row('Signs in with SSO', user.sso ? 'Yes' : 'No'),
          user.email ? row('Email', user.email) : null,
          user.phone ? row('Phone', user.phone) : null,
        ),
      ),
    );
    replace(
      factors,
      el(
        'section',
        { class: 'card flush', 'aria-labelledby': 'factors-title' },
        el('h2', { id: 'factors-title', class: 'pad' }, 'Factors'),
        user.factors.length === 0
          ? el('p', { class: 'muted empty pad' }, 'No factors.')
          : el(
              'table',
              { class: 'table', 'aria-label': 'Factors' },
              el('thead', {}, el('tr', {}, ['Type', 'Label', 'Status', 'Destination', 'Added', 'Last used'].map((h) => el('th', { scope: 'col' }, h)))),
              el(
                'tbody',
                {},
                user.factors.map((f) =>
                  el(
                    'tr',
                    {},
                    el('td', {}, factorLabels[f.type] ?? f.type, f.recovery ? el('span', { class: 'chip' }, 'recovery phone') : null),
                    el('td', {}, f.label),
                    el('td', {}, badge(f.status === 'active' ? 'enrolled' : 'pending', { enrolled: 'Active', pending: 'Pending' })),
                    el('td', {}, f.destination ?? '—'),
                    el('td', { class: 'nowrap' }, time(f.createdAt)),
                    el('td', { class: 'nowrap' }, time(f.lastUsedAt, 'Never')),
                  ),
                ),
              ),
            ),
      ),
    );
  }

  drawUser();
  replace(
    main,
    crumbs(userId),
    el('div', { class: 'page-head' }, el('div', {}, el('h1', {}, userId)), el('div', { class: 'head-actions', role: 'group', 'aria-label': 'Actions' }, unlock, regenerate, reset)),
    notice,
    codesHost,
    el('div', { class: 'stack' }, summary, factors),
    el('h2', { class: 'section-title' }, 'Audit trail'),
    audit,
  );
  await auditTable(ctx, audit, { query: { userId }, showUser: false, label: `Audit trail of ${userId}` });
}

// not a second navigation landmark, and not a second link named like the "Users" navigation item
const crumbs = (userId: string) => el('p', { class: 'crumbs' }, el('a', { href: '#/users' }, '‹ User list'), el('span', { 'aria-hidden': 'true' }, ' / '), el('span', {}, userId));
