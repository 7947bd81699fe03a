/**
 * An authenticator that owes nothing to our code: codes come from oathtool (OATH Toolkit) and
 * QR codes are read with zbarimg (ZBar), both run as separate programs. The time a code is
 * made for is passed explicitly, so tests drive it with the same injected clock as the server.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProgram } from './programs';

export interface TotpParams {
  digits?: number;
  periodSeconds?: number;
  algorithm?: 'SHA1' | 'SHA256' | 'SHA512';
}

/** oathtool's --now format: `YYYY-MM-DD HH:MM:SS UTC`. */
const oathTime = (atMs: number) => new Date(atMs).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');

/**
 * `oathtool --totp -b - --now "<atMs as UTC>"`: the TOTP code for `secretBase32` at `atMs`.
 * The secret goes in on stdin (oathtool's `-` key), so it never shows in a process list.
 * With `window`, also the codes of the following steps (oathtool -w), one per step.
 */
export async function oathtoolCodes(secretBase32: string, atMs: number, options: TotpParams & { window?: number } = {}): Promise<string[]> {
  const args = [
    `--totp=${options.algorithm ?? 'SHA1'}`,
    '--base32',
    `--digits=${options.digits ?? 6}`,
    `--time-step-size=${options.periodSeconds ?? 30}s`,
    `--now=${oathTime(atMs)}`,
    ...(options.window ? [`--window=${options.window}`] : []),
    '-',
  ];
  const codes = (await runProgram('oathtool', args, secretBase32 + '\n')).trim().split('\n');
  for (const c of codes) if (!/^\d{6,8}$/.test(c)) throw new Error(`oathtool printed something that is not a code: ${c}`);
  return codes;
}

/** Codes oathtool made, by key and parameters, then by time step: one run gives the next steps too. */
const made = new Map<string, Map<number, string>>();
/** How many steps ahead one run of oathtool makes (a test's clock mostly moves forward). */
const AHEAD = 40;

/**
 * The one TOTP code oathtool makes for `secretBase32` at `atMs`. A run of oathtool makes the
 * codes of the following steps too (-w), kept for the next calls: starting a program costs the
 * suite more than the code does.
 */
export async function oathtool(secretBase32: string, atMs: number, options: TotpParams = {}): Promise<string> {
  const period = options.periodSeconds ?? 30;
  const key = `${options.algorithm ?? 'SHA1'}:${options.digits ?? 6}:${period}:${secretBase32}`;
  const step = Math.floor(atMs / 1000 / period);
  const known = made.get(key) ?? new Map<number, string>();
  made.set(key, known);
  const cached = known.get(step);
  if (cached) return cached;
  const codes = await oathtoolCodes(secretBase32, step * period * 1000, { ...options, window: AHEAD });
  codes.forEach((code, i) => known.set(step + i, code));
  return codes[0]!;
}

/**
 * `count` different codes, each wrong at `atMs` for a verifier accepting ±`window` steps: none is
 * among the codes oathtool makes for those steps.
 */
export async function wrongCodes(secretBase32: string, atMs: number, count: number, window = 1, periodSeconds = 30): Promise<string[]> {
  const valid = new Set(await oathtoolCodes(secretBase32, atMs - window * periodSeconds * 1000, { window: 2 * window, periodSeconds }));
  const out: string[] = [];
  for (let n = 0; out.length < count; n++) {
    const candidate = String((n * 104_729 + 12_345) % 1_000_000).padStart(6, '0');
    if (!valid.has(candidate)) out.push(candidate);
  }
  return out;
}

/** A code that is wrong at `atMs` (see wrongCodes). */
export async function wrongCode(secretBase32: string, atMs: number): Promise<string> {
  return (await wrongCodes(secretBase32, atMs, 1))[0]!;
}

/** Decodes a QR code given as a `data:image/png;base64,…` URL with `zbarimg --quiet --raw`. */
export async function zbarimg(dataUrl: string): Promise<string> {
  const match = /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(dataUrl);
  if (!match) throw new Error(`not a PNG data URL: ${dataUrl.slice(0, 40)}…`);
  const dir = await mkdtemp(join(tmpdir(), 'twofold-qr-'));
  try {
    const file = join(dir, 'qr.png');
    await writeFile(file, Buffer.from(match[1]!, 'base64'));
    return (await runProgram('zbarimg', ['--quiet', '--raw', file])).trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface OtpauthKey {
  type: string;
  /** The label's account part, after `Issuer:` */
  account: string;
  /** The label's issuer prefix, if any */
  labelIssuer: string | undefined;
  issuer: string | null;
  secret: string;
  algorithm: string | null;
  digits: string | null;
  period: string | null;
}

/** Reads an otpauth:// URI per the Key Uri Format (github.com/google/google-authenticator/wiki/Key-Uri-Format). */
export function parseOtpauthUri(uri: string): OtpauthKey {
  const url = new URL(uri);
  if (url.protocol !== 'otpauth:') throw new Error(`not an otpauth URI: ${uri}`);
  // the separator is the first literal colon of the label; a colon inside a part is percent-encoded
  const rawLabel = url.pathname.replace(/^\//, '');
  const colon = rawLabel.indexOf(':');
  const labelIssuer = colon >= 0 ? decodeURIComponent(rawLabel.slice(0, colon)) : undefined;
  const account = decodeURIComponent(colon >= 0 ? rawLabel.slice(colon + 1) : rawLabel);
  const secret = url.searchParams.get('secret');
  if (!secret) throw new Error('otpauth URI without a secret');
  return {
    type: url.host,
    account,
    labelIssuer,
    issuer: url.searchParams.get('issuer'),
    secret,
    algorithm: url.searchParams.get('algorithm'),
    digits: url.searchParams.get('digits'),
    period: url.searchParams.get('period'),
  };
}
