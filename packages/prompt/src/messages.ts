/** The pages' texts: one table per language (messages/), chosen by the prompt's locale or the browser's Accept-Language. */
import type { PromptLocale } from '@twofold/contract/schemas';
import { de } from './messages/de';
import { en, type Messages } from './messages/en';
import { es } from './messages/es';
import { fr } from './messages/fr';

export type { Messages };

export const messagesOf: Record<PromptLocale, Messages> = { en, fr, de, es };

/** The first language of an Accept-Language header (RFC 9110 §12.5.4) the pages are written in, by quality. */
export function acceptedLocale(header: string | undefined): PromptLocale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(params.map((p) => p.trim()).find((p) => p.startsWith('q='))?.slice(2) ?? '1');
      return { language: tag.trim().toLowerCase().split('-')[0] ?? '', q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const r of ranked) if (r.language in messagesOf) return r.language as PromptLocale;
  return undefined;
}
