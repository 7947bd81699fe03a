/** What main.ts gives each page: the API, the page's element, the fragment's query and the way to another page. */
import type { AdminApi } from './api';

export interface PageContext {
  api: AdminApi;
  main: HTMLElement;
  /** The fragment's query (`#/users?status=enrolled`). */
  query: URLSearchParams;
  /** False once the person has gone to another page: a late answer must not draw over it. */
  alive: () => boolean;
  go: (hash: string) => void;
  /** Shows an API error on the page; a refused key signs out. */
  fail: (error: unknown) => void;
}
