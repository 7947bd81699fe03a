/** How values read on the page: times in UTC, rates as percentages, statuses in words. */
import { el } from './dom';

/** `2026-11-22T10:04:00.000Z` → a <time> reading `2026-11-22 10:04 UTC`. */
export function time(iso: string | null | undefined, empty = '—') {
  if (!iso) return empty;
  const text = `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
  return el('time', { datetime: iso, title: iso }, text);
}

/** 0.6667 → `67%` (whole percent, as the overview's chart shows it). */
export const percent = (rate: number) => `${Math.round(rate * 100)}%`;

export const statusLabels: Record<string, string> = { enrolled: 'Enrolled', pending: 'Pending', not_started: 'Not started' };
export const enforcementLabels: Record<string, string> = { required: 'Required', grace: 'Grace period', optional: 'Optional', exempt: 'Exempt (SSO)' };
export const factorLabels: Record<string, string> = { totp: 'Authenticator app', sms: 'SMS', email: 'Email', webauthn: 'Passkey' };

/** A small coloured label: `badge('enrolled')`. */
export function badge(status: string, labels: Record<string, string> = statusLabels) {
  return el('span', { class: `badge badge-${status.replace(/[^a-z_]/g, '')}` }, labels[status] ?? status);
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
