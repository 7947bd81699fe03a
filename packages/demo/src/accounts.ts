/**
 * The demo app's own accounts: a username and a password, the first factor that Twofold comes
 * after. Passwords are hashed with scrypt (RFC 7914; N=2^15, r=8, p=1, the cost OWASP's Password
 * Storage Cheat Sheet gives) and a 16-byte random salt; kept in memory, or in a JSON file when one
 * is given (written whole, then renamed into place, so a crash never leaves half a file).
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_BYTES = 32;

/** Usernames double as Twofold userIds, so they keep to its id characters (an email address fits). */
export const USERNAME_PATTERN = /^[A-Za-z0-9._@+-]{2,64}$/;
export const MIN_PASSWORD_LENGTH = 8;

interface StoredAccount {
  username: string;
  /** `scrypt$N$r$p$<salt base64url>$<key base64url>` */
  passwordHash: string;
  createdAt: string;
}

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCallback(password.normalize('NFKC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key))));
}

async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

// hashed against when the username is unknown, so that answering takes as long either way
const DUMMY_HASH = hashPassword(randomBytes(16).toString('hex'));

export class AccountStore {
  private readonly accounts = new Map<string, StoredAccount>();

  /** @param file a JSON file to keep the accounts in; in memory when omitted */
  constructor(private readonly file?: string) {
    if (file && existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { accounts?: StoredAccount[] };
      for (const a of saved.accounts ?? []) this.accounts.set(a.username, a);
    }
  }

  has(username: string): boolean {
    return this.accounts.has(username);
  }

  /** Creates the account; false when the username is taken. */
  async create(username: string, password: string, now = new Date()): Promise<boolean> {
    if (this.accounts.has(username)) return false;
    const passwordHash = await hashPassword(password);
    // checked again: another sign-up may have taken the name while this one was hashing
    if (this.accounts.has(username)) return false;
    this.accounts.set(username, { username, passwordHash, createdAt: now.toISOString() });
    this.save();
    return true;
  }

  /** Whether the password is the account's; false for an unknown username too. */
  async checkPassword(username: string, password: string): Promise<boolean> {
    const account = this.accounts.get(username);
    if (!account) {
      await passwordMatches(password, await DUMMY_HASH);
      return false;
    }
    return passwordMatches(password, account.passwordHash);
  }

  private save() {
    if (!this.file) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ accounts: [...this.accounts.values()] }, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
