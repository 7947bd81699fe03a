/**
 * Settings: the tenant's policy as a form (policy-fields.ts says which control and group each
 * field gets). Save sends the whole policy with PUT /v1/policy, starting from the policy as
 * read, so that a field the form does not show is kept as it was. A 422 puts each of its
 * messages beside the field it names, and nothing is saved.
 */
import type { Policy } from '@twofold/contract/schemas';
import { ApiError, type ErrorDetail } from '../api';
import { el, replace, uid } from '../dom';
import type { PageContext } from '../page-context';
import { allowLabels, genericField, groups, hasPath, knownMethods, labelFor, leafPaths, methodLabels, setAt, valueAt, type FieldSpec, type GroupSpec } from './policy-fields';

interface RenderedField {
  spec: FieldSpec;
  /** The value to save; throws a message for input that cannot be one. */
  read: () => unknown;
  row: HTMLElement;
  focus: HTMLElement;
  /** Where a refusal of this field is written. */
  error: HTMLElement;
  /** The controls the error describes. */
  described: HTMLElement[];
}

const fieldId = (path: string) => `field-${path.replace(/[^A-Za-z0-9]/g, '-')}`;
const splitList = (text: string, upper = false) =>
  text
    .split(/[,\n]/)
    .map((s) => (upper ? s.trim().toUpperCase() : s.trim()))
    .filter(Boolean);

function renderField(spec: FieldSpec, value: unknown, policy: Record<string, unknown>): RenderedField {
  const id = fieldId(spec.path);
  const error = el('p', { id: `${id}-error`, class: 'field-error', hidden: true });
  const help = spec.help ? el('p', { id: `${id}-help`, class: 'help' }, spec.help) : null;
  const describedBy = [help?.id, error.id].filter(Boolean).join(' ');
  const c = spec.control;

  if (c.kind === 'checkbox') {
    const input = el('input', { id, type: 'checkbox', checked: value === true, 'aria-describedby': describedBy });
    const row = el('div', { class: `field field-check${spec.path === 'enabled' ? ' master' : ''}` }, input, el('div', {}, el('label', { for: id }, spec.label), help, error));
    return { spec, read: () => input.checked, row, focus: input, error, described: [input] };
  }

  if (c.kind === 'methods') {
    const allowed = Array.isArray(value) ? (value as string[]) : [];
    const boxes = knownMethods(policy).map((m) => {
      const boxId = `${id}-${m}`;
      const input = el('input', { id: boxId, type: 'checkbox', value: m, checked: allowed.includes(m), 'aria-describedby': describedBy });
      return { m, input, row: el('div', { class: 'field-check' }, input, el('label', { for: boxId }, allowLabels[m] ?? m)) };
    });
    const fieldset = el('fieldset', { class: 'field methods', 'aria-describedby': describedBy }, el('legend', {}, spec.label), el('div', { class: 'checks' }, boxes.map((b) => b.row)), help, error);
    // the order the policy had (it may name a preference), then what was newly checked
    const read = () => {
      const checked = boxes.filter((b) => b.input.checked).map((b) => b.m);
      return [...allowed.filter((m) => checked.includes(m)), ...checked.filter((m) => !allowed.includes(m))];
    };
    return { spec, read, row: fieldset, focus: boxes[0]?.input ?? fieldset, error, described: [fieldset] };
  }

  let control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  let read: () => unknown;
  if (c.kind === 'select') {
    const opts = spec.path === 'methods.default' ? knownMethods(policy).map((m) => [m, methodLabels[m]!] as const) : c.options;
    const known = opts.some(([v]) => v === value);
    const select = el(
      'select',
      { id, 'aria-describedby': describedBy },
      // a value the form has no label for (set through the API) stays selectable as it is
      known ? null : el('option', { value: JSON.stringify(value ?? null), selected: true }, String(value)),
      opts.map(([v, label]) => el('option', { value: JSON.stringify(v), selected: v === value }, label)),
    );
    control = select;
    read = () => JSON.parse(select.value) as unknown;
  } else if (c.kind === 'number') {
    const input = el('input', { id, type: 'number', inputmode: 'numeric', step: 1, min: c.min, max: c.max, value: typeof value === 'number' ? value : '', 'aria-describedby': describedBy });
    control = input;
    read = () => {
      if (input.value.trim() === '' || !Number.isFinite(input.valueAsNumber)) throw new Error('Enter a number.');
      return input.valueAsNumber;
    };
  } else if (c.kind === 'date') {
    const iso = typeof value === 'string' ? value : '';
    const input = el('input', { id, type: 'date', value: iso.slice(0, 10), 'aria-describedby': describedBy });
    control = input;
    // the same day keeps the time it had (set through the API); a new day starts at 00:00 UTC
    read = () => (input.value === '' ? null : input.value === iso.slice(0, 10) ? iso : `${input.value}T00:00:00Z`);
  } else if (c.kind === 'list') {
    const input = el('input', { id, type: 'text', autocomplete: 'off', placeholder: c.placeholder, value: Array.isArray(value) ? value.join(', ') : '', 'aria-describedby': describedBy });
    control = input;
    read = () => splitList(input.value, c.upper);
  } else if (c.kind === 'text') {
    const input = el('input', { id, type: 'text', autocomplete: 'off', maxlength: c.maxLength, placeholder: c.placeholder, value: typeof value === 'string' ? value : '', 'aria-describedby': describedBy });
    control = input;
    read = () => (input.value.trim() === '' && (c.nullable || c.omitEmpty) ? (c.nullable ? null : undefined) : input.value);
  } else {
    const area = el('textarea', { id, rows: 3, spellcheck: 'false', 'aria-describedby': describedBy });
    area.value = JSON.stringify(value ?? null);
    control = area;
    read = () => {
      try {
        return JSON.parse(area.value) as unknown;
      } catch {
        throw new Error('Enter valid JSON.');
      }
    };
  }
  const row = el('div', { class: `field${spec.wide ? ' wide' : ''}` }, el('label', { for: id }, spec.label), control, help, error);
  return { spec, read, row, focus: control, error, described: [control] };
}

function showError(field: RenderedField, message: string) {
  field.error.textContent = message;
  field.error.hidden = false;
  field.row.classList.add('invalid');
  for (const d of field.described) d.setAttribute('aria-invalid', 'true');
}

function clearErrors(fields: RenderedField[]) {
  for (const f of fields) {
    f.error.textContent = '';
    f.error.hidden = true;
    f.row.classList.remove('invalid');
    for (const d of f.described) d.removeAttribute('aria-invalid');
  }
}

/** The field a refusal names: its own, or the nearest one above it (`enforcement.roles.0` → `enforcement.roles`). */
function fieldFor(fields: RenderedField[], path: string): RenderedField | undefined {
  const bare = path.replace(/^body\./, '');
  return fields
    .filter((f) => bare === f.spec.path || bare.startsWith(`${f.spec.path}.`))
    .sort((a, b) => b.spec.path.length - a.spec.path.length)[0];
}

/**
 * A refusal in a workspace admin's words: the field's label, not its path, and zod's wording
 * ("Too small: expected number to be >=60") as a sentence ("… must be at least 60").
 */
export function inWords(spec: FieldSpec | undefined, detail: ErrorDetail): string {
  const path = detail.path.replace(/^body\./, '');
  const label = spec?.label.replace(/ \((seconds|days|steps)\)$/, '') ?? (path ? labelFor(path) : '');
  const unit = spec?.label.match(/\((seconds|days|steps)\)$/)?.[1] ?? (path.endsWith('Seconds') ? 'seconds' : path.endsWith('Days') ? 'days' : '');
  const m = detail.message;
  const bound = (n: string) => (unit ? `${n} ${unit}` : n);
  const rules: [RegExp, (x: RegExpMatchArray) => string][] = [
    [/expected number to be >=?\s*(-?[\d.]+)/i, (x) => `must be at least ${bound(x[1]!)}`],
    [/expected number to be <=?\s*(-?[\d.]+)/i, (x) => `must be at most ${bound(x[1]!)}`],
    [/expected (?:string|array) to have >=?\s*(\d+) (character|item)/i, (x) => (x[1] === '1' ? 'must not be empty' : `must have at least ${x[1]} ${x[2]}s`)],
    [/expected (?:string|array) to have <=?\s*(\d+) (character|item)/i, (x) => `must have at most ${x[1]} ${x[2]}s`],
    [/expected int/i, () => 'must be a whole number'],
    [/invalid option|invalid input: expected one of/i, () => 'is not one of the allowed values'],
    [/expected (number|boolean|string|array)/i, (x) => `must be a ${x[1] === 'boolean' ? 'yes or no' : x[1] === 'array' ? 'list' : x[1]!.toLowerCase()}`],
  ];
  for (const [re, say] of rules) {
    const x = m.match(re);
    if (x) return `${label || 'This setting'} ${say(x)}.`;
  }
  // a message of our own (a refinement): it already reads as a sentence, only the paths it names become labels,
  // its own and any other ("… is not in methods.allowed" on methods.default → "… is not in "Allowed methods"")
  const named = groups
    .flatMap((g) => g.fields)
    .filter((f) => f.path !== path)
    .sort((a, b) => b.path.length - a.path.length);
  let own = path && label ? m.replaceAll(path, label) : m;
  for (const f of named) own = own.replace(new RegExp(`\\b${f.path.replaceAll('.', '\\.')}\\b`, 'g'), `"${f.label}"`);
  return label && !own.includes(label) ? `${label}: ${own}` : own;
}

export async function settingsPage(ctx: PageContext) {
  const { main, api } = ctx;
  replace(main, el('h1', {}, 'Settings'), el('p', { class: 'muted' }, 'Loading the policy…'));
  const policy = await api.policy();
  if (ctx.alive()) draw(ctx, policy);
}

function draw(ctx: PageContext, policy: Policy, notice?: string) {
  const { main, api } = ctx;
  const record = policy as unknown as Record<string, unknown>;
  const fields: RenderedField[] = [];
  const shownGroups: { group: GroupSpec; rendered: RenderedField[] }[] = [];
  for (const group of groups) {
    const present = group.fields.filter((f) => hasPath(record, f.path));
    if (present.length === 0) continue;
    const rendered = present.map((f) => renderField(f, valueAt(record, f.path), record));
    fields.push(...rendered);
    shownGroups.push({ group, rendered });
  }
  const named = new Set(fields.map((f) => f.spec.path));
  const others = leafPaths(record).filter((p) => ![...named].some((n) => p === n || p.startsWith(`${n}.`)));
  if (others.length > 0) {
    const rendered = others.map((p) => renderField(genericField(p, valueAt(record, p)), valueAt(record, p), record));
    fields.push(...rendered);
    shownGroups.push({ group: { title: 'Other settings', description: 'Settings this console has no dedicated control for yet.', fields: [] }, rendered });
  }

  const status = el('p', { class: 'form-message', role: 'status' }, notice ?? '');
  const summary = el('div', { class: 'alert error', role: 'alert', tabindex: '-1', hidden: true });
  const save = el('button', { type: 'submit', class: 'button primary' }, 'Save');

  const form = el(
    'form',
    { class: 'settings', novalidate: true, on: { submit: (e) => (e.preventDefault(), void submit()) } },
    summary,
    shownGroups.map(({ group, rendered }) => {
      const titleId = uid('group');
      return el(
        'section',
        { class: `card settings-group${group.title === 'Two-factor authentication' ? ' master-group' : ''}`, 'aria-labelledby': titleId },
        el('div', { class: 'group-head' }, el('h2', { id: titleId }, group.title), group.description ? el('p', { class: 'muted' }, group.description) : null),
        el('div', { class: 'fields' }, rendered.map((f) => f.row)),
      );
    }),
    el('div', { class: 'save-bar' }, status, save),
  );

  async function submit() {
    clearErrors(fields);
    summary.hidden = true;
    status.textContent = '';
    // the policy as read, each shown field written over it: what the form does not show is kept
    const next = structuredClone(record);
    const unreadable: RenderedField[] = [];
    for (const f of fields) {
      try {
        setAt(next, f.spec.path, f.read());
      } catch (error) {
        showError(f, (error as Error).message);
        unreadable.push(f);
      }
    }
    if (unreadable.length > 0) return refused(unreadable, 'Some settings are not filled in correctly.');
    save.disabled = true;
    status.textContent = 'Saving…';
    try {
      const saved = await api.putPolicy(next as unknown as Policy);
      if (ctx.alive()) draw(ctx, saved, 'Settings saved. They apply from the next sign-in.');
    } catch (error) {
      save.disabled = false;
      status.textContent = '';
      if (!(error instanceof ApiError) || error.status !== 422) return ctx.fail(error);
      const details: ErrorDetail[] = error.details.length > 0 ? error.details : [{ path: '', message: error.message }];
      const marked: RenderedField[] = [];
      const unplaced: string[] = [];
      for (const d of details) {
        const f = fieldFor(fields, d.path);
        const text = inWords(f?.spec, d);
        if (f && !marked.includes(f)) {
          showError(f, text);
          marked.push(f);
        } else if (f) f.error.textContent += ` ${text}`;
        else unplaced.push(text);
      }
      refused(marked, 'The settings were not saved. Change what is marked below and save again.', unplaced);
    }
  }

  function refused(marked: RenderedField[], headline: string, unplaced: string[] = []) {
    replace(summary, el('strong', {}, headline), unplaced.length ? el('ul', {}, unplaced.map((u) => el('li', {}, u))) : null);
    summary.hidden = false;
    (marked[0]?.focus ?? summary).focus();
  }

  replace(main, el('div', { class: 'page-head' }, el('div', {}, el('h1', {}, 'Settings'), el('p', { class: 'muted' }, 'Two-factor policy of this workspace. Changes apply from the next sign-in.'))), form);
}
