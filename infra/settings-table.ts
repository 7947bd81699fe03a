/**
 * The settings tables of docs/operations.md, made from the schemas themselves: the deployment's
 * settings (infra/settings.ts) and the functions' environment (packages/runtime/src/config.ts).
 * Each default and each meaning is written once, in the schema; the doc shows it, and
 * test/infra/settings-table.fresh.test.ts fails when the committed tables are not what this makes
 * (UPDATE_SETTINGS_TABLE=1 rewrites them).
 */
import { toJSONSchema } from 'zod';
import { ConfigSchema } from '@twofold/runtime/config';
import { Settings } from './settings';

export const SETTINGS_DOC = 'docs/operations.md';

/** The part of a JSON Schema (draft 2020-12, as zod writes it) that the tables show. */
interface Node {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: readonly unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  properties?: Record<string, Node>;
  required?: readonly string[];
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const code = (value: unknown) => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
/** zod writes the safe-integer range for `.int()`: no limit worth showing. */
const bound = (n: number | undefined) => (n === undefined || Math.abs(n) >= Number.MAX_SAFE_INTEGER ? undefined : n.toLocaleString('en-US'));

function valuesOf(node: Node): string {
  if (node.enum) return node.enum.map(code).join(', ');
  if (node.type === 'boolean') return '`true`, `false`';
  if (node.type === 'integer' || node.type === 'number') {
    const kind = node.type === 'integer' ? 'whole number' : 'number';
    const [min, max] = [bound(node.minimum), bound(node.maximum)];
    if (min !== undefined && max !== undefined) return `${kind}, ${min}–${max}`;
    if (min !== undefined) return `${kind} ≥ ${min}`;
    if (node.exclusiveMinimum !== undefined) return `${kind} > ${node.exclusiveMinimum}`;
    return kind;
  }
  if (node.format === 'email') return 'email address';
  if (node.format === 'uri') return 'URL';
  return node.type === 'object' ? 'object' : 'text';
}

function rowsOf(node: Node, prefix: string): string[] {
  const rows: string[] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const name = `${prefix}${key}`;
    const isObject = child.type === 'object' && child.properties !== undefined;
    if (!isObject || child.description !== undefined) {
      const fallback = isObject ? '—' : child.default !== undefined ? code(child.default) : node.required?.includes(key) ? 'required' : '—';
      rows.push(`| \`${name}\` | ${fallback} | ${valuesOf(child)} | ${cell(child.description ?? '')} |`);
    }
    if (isObject) rows.push(...rowsOf(child, `${name}.`));
  }
  return rows;
}

const table = (first: string, schema: Node) => [`| ${first} | default | values | what it means |`, '|---|---|---|---|', ...rowsOf(schema, '')].join('\n');

/** The two tables, by the name of the markers they stand between in the doc. */
export function settingsTables(): Record<'deploy-settings' | 'function-environment', string> {
  return {
    'deploy-settings': table('setting', toJSONSchema(Settings, { io: 'input', unrepresentable: 'any' }) as Node),
    'function-environment': table('variable', toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' }) as Node),
  };
}

const markers = (name: string) => [`<!-- ${name}: generated from the schema by infra/settings-table.ts -->`, `<!-- /${name} -->`] as const;

/** The doc with each table put between its markers (which must be there, once each). */
export function withSettingsTables(doc: string): string {
  let out = doc;
  for (const [name, text] of Object.entries(settingsTables())) {
    const [open, close] = markers(name);
    const start = out.indexOf(open);
    const end = out.indexOf(close);
    if (start < 0 || end < start) throw new Error(`${SETTINGS_DOC} has no ${open} … ${close}`);
    out = `${out.slice(0, start + open.length)}\n${text}\n${out.slice(end)}`;
  }
  return out;
}
