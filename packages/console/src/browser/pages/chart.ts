/**
 * The overview's charts, drawn as SVG by the page (no chart library, nothing fetched): a donut of
 * the status breakdown and bars for table rows. Colours come from presentation attributes and the
 * style sheet's classes, never from inline styles (the CSP allows none).
 */
import { svg } from '../dom';

export interface Slice {
  label: string;
  value: number;
  /** A class of the style sheet: `slice-enrolled`. */
  tone: string;
}

/** A donut of `slices`, with `centre` (two short lines) in the hole. */
export function donut(slices: Slice[], title: string, centre: [string, string]): SVGSVGElement {
  const size = 180;
  const r = 70;
  const stroke = 26;
  const circumference = 2 * Math.PI * r;
  const total = slices.reduce((s, x) => s + x.value, 0);
  let offset = 0;
  const arcs = slices
    .filter((s) => s.value > 0)
    .map((s) => {
      const length = (s.value / total) * circumference;
      const arc = svg('circle', {
        class: `arc ${s.tone}`,
        cx: size / 2,
        cy: size / 2,
        r,
        fill: 'none',
        'stroke-width': stroke,
        'stroke-dasharray': `${length} ${circumference - length}`,
        // start at twelve o'clock, clockwise
        'stroke-dashoffset': circumference / 4 - offset,
      });
      offset += length;
      return arc;
    });
  return svg(
    'svg',
    { class: 'chart donut', viewBox: `0 0 ${size} ${size}`, width: size, height: size, role: 'img', 'aria-label': title },
    svg('circle', { class: 'arc track', cx: size / 2, cy: size / 2, r, fill: 'none', 'stroke-width': stroke }),
    arcs,
    svg('text', { class: 'donut-value', x: size / 2, y: size / 2 - 2, 'text-anchor': 'middle', 'aria-hidden': 'true' }, centre[0]),
    svg('text', { class: 'donut-caption', x: size / 2, y: size / 2 + 20, 'text-anchor': 'middle', 'aria-hidden': 'true' }, centre[1]),
  );
}

/** A bar of `value` out of `max`, for a table row (the row's cells carry the numbers). */
export function meter(value: number, max: number): SVGSVGElement {
  const width = 160;
  const w = max > 0 ? Math.max(value > 0 ? 3 : 0, (width * value) / max) : 0;
  return svg(
    'svg',
    { class: 'chart meter', viewBox: `0 0 ${width} 12`, width, height: 12, 'aria-hidden': 'true' },
    svg('rect', { class: 'meter-track', x: 0, y: 0, width, height: 12, rx: 6 }),
    svg('rect', { class: 'meter-bar', x: 0, y: 0, width: w, height: 12, rx: 6 }),
  );
}
