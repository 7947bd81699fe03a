/**
 * Overview: adoption of two-factor in the workspace, as GET /v1/admin/overview says it —
 * enrollment rate (a number and a chart), status breakdown, recovery-code health, recent
 * enrollments, roles without two-factor. Refresh asks again.
 */
import type { Overview } from '@twofold/contract/schemas';
import { el, replace, uid, type Child } from '../dom';
import { percent, plural, time } from '../format';
import type { PageContext } from '../page-context';
import { donut, meter } from './chart';

export async function overviewPage(ctx: PageContext) {
  const { main } = ctx;
  const updated = el('span', { class: 'muted', role: 'status' }, 'Loading…');
  const body = el('div', { class: 'overview' });
  const refresh = el('button', { type: 'button', class: 'button secondary', on: { click: () => void load() } }, 'Refresh');
  replace(
    main,
    el('div', { class: 'page-head' }, el('div', {}, el('h1', {}, 'Overview'), el('p', { class: 'muted' }, 'Adoption of two-factor authentication in this workspace.')), el('div', { class: 'head-actions' }, updated, refresh)),
    body,
  );

  async function load() {
    refresh.disabled = true;
    updated.textContent = 'Refreshing…';
    try {
      // the locked count is read through the users list (a lock ends by itself, so no counter keeps it): one page of 100
      const [overview, locked] = await Promise.all([ctx.api.overview(), ctx.api.users({ locked: 'true', limit: 100 })]);
      if (!ctx.alive()) return;
      const lockedCount = `${locked.nextCursor ? 'At least ' : ''}${locked.users.length}`;
      replace(
        body,
        ...cards(overview),
        card(
          'Locked out now',
          'locked-card',
          el('p', { class: 'stat-value' }, lockedCount),
          el('p', { class: 'muted' }, locked.users.length === 0 ? 'Nobody is locked out.' : el('a', { href: '#/users?locked=true' }, `See the ${plural(locked.users.length, 'locked user')}`)),
        ),
      );
      updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      updated.textContent = '';
      ctx.fail(error);
    } finally {
      refresh.disabled = false;
    }
  }
  await load();
}

function card(title: string | null, extraClass: string, ...children: Child[]) {
  const id = uid('card');
  return el('section', { class: `card ${extraClass}`, ...(title ? { 'aria-labelledby': id } : {}) }, title ? el('h2', { id }, title) : null, ...children);
}

function cards(o: Overview) {
  const slices = [
    { label: 'Enrolled', value: o.enrolled, tone: 'tone-enrolled' },
    { label: 'Pending', value: o.pending, tone: 'tone-pending' },
    { label: 'Not started', value: o.notStarted, tone: 'tone-not_started' },
  ];
  const rateId = uid('rate');
  const userLink = (userId: string) => el('a', { href: `#/users/${encodeURIComponent(userId)}` }, userId);
  const maxRole = Math.max(0, ...o.rolesWithoutTwoFactor.map((r) => r.users));

  return [
    card(
      null,
      'rate-card',
      el(
        'div',
        { class: 'rate' },
        el(
          'div',
          { class: 'rate-text' },
          el('span', { class: 'stat-label', id: rateId }, 'Enrollment rate'),
          el('data', { class: 'stat-value', value: o.enrollmentRate, 'aria-describedby': rateId }, percent(o.enrollmentRate)),
          el('p', { class: 'muted' }, o.totalUsers === 0 ? 'No users yet.' : `${o.enrolled} of ${plural(o.totalUsers, 'user')} have two-factor.`),
        ),
        donut(slices, `Enrollment: ${o.enrolled} enrolled, ${o.pending} pending, ${o.notStarted} not started, of ${o.totalUsers} users`, [`${o.enrolled}/${o.totalUsers}`, 'enrolled']),
      ),
    ),
    card(
      'Status breakdown',
      '',
      el(
        'dl',
        { class: 'legend' },
        slices.map((s) => el('div', { class: 'legend-row' }, el('dt', {}, el('span', { class: `swatch ${s.tone}`, 'aria-hidden': 'true' }), s.label), el('dd', {}, s.value))),
        el('div', { class: 'legend-row total' }, el('dt', {}, 'Total users'), el('dd', {}, o.totalUsers)),
      ),
    ),
    card(
      'Recovery-code health',
      '',
      el('p', { class: 'muted' }, 'Enrolled users who are running out of recovery codes.'),
      el(
        'dl',
        { class: 'legend' },
        el('div', { class: 'legend-row' }, el('dt', {}, el('span', { class: 'swatch tone-pending', 'aria-hidden': 'true' }), 'Low (1–2 left)'), el('dd', {}, o.recoveryCodes.low)),
        el('div', { class: 'legend-row' }, el('dt', {}, el('span', { class: 'swatch tone-danger', 'aria-hidden': 'true' }), 'None left'), el('dd', {}, o.recoveryCodes.none)),
      ),
    ),
    card(
      'SMS only',
      'sms-only-card',
      el('p', { class: 'stat-value' }, o.smsOnly),
      el(
        'p',
        { class: 'muted' },
        o.smsOnly === 0
          ? 'No user relies on SMS alone.'
          : `${plural(o.smsOnly, 'user')} with SMS as their only factor: a restricted method (NIST SP 800-63B-4); ask them to add an authenticator app or a passkey.`,
      ),
    ),
    card(
      'Roles without two-factor',
      '',
      o.rolesWithoutTwoFactor.length === 0
        ? el('p', { class: 'muted empty' }, 'Every role has two-factor.')
        : el(
            'table',
            { class: 'table' },
            el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Role'), el('th', { scope: 'col', class: 'num' }, 'Without 2FA'), el('th', { scope: 'col' }, el('span', { class: 'visually-hidden' }, 'Share')))),
            el(
              'tbody',
              {},
              o.rolesWithoutTwoFactor.map((r) =>
                el('tr', {}, el('td', {}, el('a', { href: `#/users?role=${encodeURIComponent(r.role)}` }, r.role)), el('td', { class: 'num' }, r.users), el('td', {}, meter(r.users, maxRole))),
              ),
            ),
          ),
    ),
    card(
      'Recent enrollments',
      '',
      o.recentEnrollments.length === 0
        ? el('p', { class: 'muted empty' }, 'Nobody has enrolled yet.')
        : el(
            'table',
            { class: 'table' },
            el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'User'), el('th', { scope: 'col' }, 'Enrolled'))),
            el(
              'tbody',
              {},
              o.recentEnrollments.map((e) => el('tr', {}, el('td', {}, userLink(e.userId)), el('td', {}, time(e.enrolledAt)))),
            ),
          ),
    ),
  ];
}
