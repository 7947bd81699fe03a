/**
 * dynalite parses every expression of every request with PEG parsers that try each of DynamoDB's
 * ~570 reserved words at each identifier: about 3 ms of CPU for one of Twofold's conditional
 * updates, most of the engine's time. The requests of one code path differ only in their names'
 * and values' contents, which a parse does not look at (it checks which placeholders exist,
 * which name the same attribute, and the values' types). So each parser's result is kept per
 * shape — the expression, which placeholders name the same attribute, each value's type — as a
 * template parsed over stand-ins, and a request of a known shape gets the template with its own
 * names and values put in: the result the parser would give, without parsing.
 *
 * A placeholder whose attribute the expression also names literally (`SET foo = :x, #a = :y` with
 * `#a` naming `foo`: DynamoDB's overlap and distinct-operand checks compare the two) keeps its own
 * name in the shape and in the template, so that the checks see the collision as a parse does.
 *
 * Not kept: a parse that fails (its message names contents); expressions whose checks read values'
 * contents (BETWEEN's bounds, attribute_type's type name); any template where a stand-in ends up
 * somewhere it cannot be put back from. TWOFOLD_ENGINE_CHECK_PARSE=1 parses every request anyway
 * and fails it where the two results differ (the engine's tests run so).
 */
import { isDeepStrictEqual } from 'node:util';

type Value = Record<string, unknown>;
export interface ParseContext {
  attrNames?: Record<string, string>;
  attrVals?: Record<string, Value>;
  unusedAttrNames: Record<string, unknown>;
  unusedAttrVals: Record<string, unknown>;
  isKeyCondition?: boolean;
}
export interface Parser {
  parse(input: string, options: { context: ParseContext }): unknown;
}

interface Template {
  ast: unknown;
  /** stand-in object → its placeholder */
  values: Map<object, string>;
  usedNames: string[];
  usedValues: string[];
}

const MARK = '\u0000twofold-stand-in:';
const CONTENT_CHECKS = /attribute_type|between/i;
const typeOf = (value: Value | undefined) => (value ? Object.keys(value).sort().join('+') : '');
/** The attribute names an expression spells out itself (not `#name` placeholders, nor `:value`s); also its keywords and function names, which does no harm. */
const LITERAL_NAMES = /(?<![#:\w])[A-Za-z_]\w*/g;
const literalsOf = new Map<string, Set<string>>();
/** An expression's literal names, worked out once per expression text (a request of a known shape does not scan it again). */
function literalNames(input: string): Set<string> {
  let names = literalsOf.get(input);
  if (!names) literalsOf.set(input, (names = new Set(input.match(LITERAL_NAMES))));
  return names;
}

export function cacheParses(parser: Parser, id: string, options: { check?: boolean } = {}): void {
  const parse = parser.parse.bind(parser);
  const templates = new Map<string, Template | 'uncacheable'>();
  parser.parse = (input, { context }) => {
    if (CONTENT_CHECKS.test(input)) return parse(input, { context });
    const names = context.attrNames ?? {};
    const values = context.attrVals ?? {};
    // placeholders that name the same attribute share a stand-in, so overlap checks come out the same;
    // one that names an attribute spelt out in the expression is not stood in for (that name is the shape)
    const literals = literalNames(input);
    const first = new Map<string, string>();
    for (const [placeholder, name] of Object.entries(names)) if (!first.has(name)) first.set(name, placeholder);
    const standInName = (placeholder: string) => {
      const name = names[placeholder] ?? '';
      return literals.has(name) ? name : `${MARK}${first.get(name) ?? placeholder}`;
    };
    const shape = [
      id,
      context.isKeyCondition ? 'key' : '',
      input,
      Object.keys(names).map((p) => `${p}=${standInName(p)}`).join(','),
      Object.entries(values).map(([p, v]) => `${p}:${typeOf(v)}`).join(','),
    ].join('\u0001');
    const template = templates.get(shape);
    if (template === 'uncacheable') return parse(input, { context });
    if (template) {
      for (const n of template.usedNames) delete context.unusedAttrNames[n];
      for (const v of template.usedValues) delete context.unusedAttrVals[v];
      const result = instantiate(template.ast, template.values, names, values, first);
      if (options.check) {
        const fresh = { ...context, unusedAttrNames: Object.fromEntries(Object.keys(names).map((k) => [k, true])), unusedAttrVals: Object.fromEntries(Object.keys(values).map((k) => [k, true])) };
        const parsed = parse(input, { context: fresh });
        if (!isDeepStrictEqual(parsed, result)) throw new Error(`parse cache: ${id} of ${JSON.stringify(input)} differs from a parse`);
      }
      return result;
    }
    // first of its shape: the request's own parse, then the same over stand-ins
    const result = parse(input, { context });
    if (typeof result !== 'object' || result === null) return result;
    const standIns = new Map<object, string>();
    const probeValues: Record<string, Value> = {};
    for (const [placeholder, value] of Object.entries(values)) {
      const standIn: Value = Object.fromEntries(Object.keys(value).map((type) => [type, `${MARK}${placeholder}`]));
      probeValues[placeholder] = standIn;
      standIns.set(standIn, placeholder);
    }
    const probe: ParseContext = {
      ...context,
      attrNames: Object.fromEntries(Object.keys(names).map((p) => [p, standInName(p)])),
      attrVals: probeValues,
      unusedAttrNames: Object.fromEntries(Object.keys(names).map((k) => [k, true])),
      unusedAttrVals: Object.fromEntries(Object.keys(values).map((k) => [k, true])),
    };
    let ast: unknown;
    try {
      ast = parse(input, { context: probe });
    } catch {
      ast = undefined;
    }
    const built: Template = {
      ast,
      values: standIns,
      usedNames: Object.keys(names).filter((k) => !(k in probe.unusedAttrNames)),
      usedValues: Object.keys(values).filter((k) => !(k in probe.unusedAttrVals)),
    };
    let faithful = false;
    try {
      faithful = typeof ast === 'object' && ast !== null && isDeepStrictEqual(instantiate(ast, standIns, names, values, first), result);
    } catch {
      // a stand-in where it cannot be put back from
    }
    templates.set(shape, faithful ? built : 'uncacheable');
    return result;
  };
}

/** What a template is filled in with: the stand-ins it holds, and this request's names and values. */
interface Fill {
  standIns: Map<object, string>;
  names: Record<string, string>;
  values: Record<string, Value>;
  first: Map<string, string>;
}

/** A name of the template: a stand-in's placeholder's name in this request, or the literal name. */
function nameOf(s: string, fill: Fill): string {
  if (!s.startsWith(MARK)) return s;
  const placeholder = s.slice(MARK.length);
  const name = fill.names[placeholder];
  // a stand-in for a value's content, or a placeholder no longer there: not a faithful template
  if (name === undefined || fill.first.get(name) !== placeholder) throw new Error('parse cache: stand-in out of place');
  return name;
}

/** The template with this request's names and values in place of the stand-ins (no closure per node: this runs on every request). */
function instantiate(node: unknown, standIns: Map<object, string>, names: Record<string, string>, values: Record<string, Value>, first: Map<string, string>): unknown {
  return fillIn(node, { standIns, names, values, first });
}

function fillIn(node: unknown, fill: Fill): unknown {
  if (typeof node === 'string') return nameOf(node, fill);
  if (typeof node !== 'object' || node === null) return node;
  const placeholder = fill.standIns.get(node);
  if (placeholder !== undefined) return fill.values[placeholder];
  if (Array.isArray(node)) {
    const out = new Array<unknown>(node.length);
    for (let i = 0; i < node.length; i++) out[i] = fillIn(node[i], fill);
    return out;
  }
  const copy: Record<string, unknown> = Object.getPrototypeOf(node) === null ? Object.create(null) : {};
  for (const k in node) if (Object.hasOwn(node, k)) copy[nameOf(k, fill)] = fillIn((node as Record<string, unknown>)[k], fill);
  return copy;
}
