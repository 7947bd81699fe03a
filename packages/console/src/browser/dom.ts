/**
 * Building the page: elements made one by one, every value added as a text node or an
 * attribute, never parsed as HTML (the CSP's Trusted Types would refuse it anyway). A userId,
 * a role or a factor label with markup in it shows as the characters it is.
 */

export type Child = Node | string | number | null | undefined | false | Child[];

type Listener = (event: Event) => void;
export interface Props {
  /** Attributes; `true` sets an empty one, `false`/`null`/`undefined` leaves it out. */
  [attribute: string]: string | number | boolean | null | undefined | Record<string, Listener>;
  on?: Record<string, Listener>;
}

function append(parent: Node, children: Child[]) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

function apply(node: Element, props: Props | undefined) {
  for (const [name, value] of Object.entries(props ?? {})) {
    if (name === 'on') {
      for (const [type, listener] of Object.entries(value as Record<string, Listener>)) node.addEventListener(type, listener);
    } else if (/^on/i.test(name)) {
      // handlers go through `on`, never an attribute (the CSP would refuse one anyway)
      throw new Error(`event handler attribute ${name}`);
    } else if (value === true) node.setAttribute(name, '');
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, String(value));
  }
}

/** `el('td', { class: 'num' }, 42)` */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  apply(node, props);
  append(node, children);
  return node;
}

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element; attributes are presentation attributes, never a style. */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, props?: Props, ...children: Child[]): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  apply(node, props);
  append(node, children);
  return node;
}

/** Replaces what `parent` holds. */
export function replace(parent: Element, ...children: Child[]) {
  parent.replaceChildren();
  append(parent, children);
}

let ids = 0;
/** A page-unique id, for label/for and aria-describedby. */
export const uid = (prefix: string) => `${prefix}-${++ids}`;
