/** The parts of dynalite (it has no types of its own) that the local engine builds on. */
declare module 'dynalite/db/index.js' {
  export interface ApiError extends Error {
    statusCode: number;
    body: Record<string, unknown>;
  }
  export type AttributeMap = Record<string, unknown>;
  export interface Table {
    TableName: string;
    KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
    TableStatus?: string;
  }
  export type Callback<T> = (error: Error | null | undefined, result?: T) => void;
  export interface Store {
    getTable(name: string, cb: Callback<Table>): void;
    db: { close(cb: (error?: Error) => void): void };
  }
  export interface StoreOptions {
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
  }
  export type Request = Record<string, unknown>;
  interface Db {
    create(options: StoreOptions): Store;
    checkConditional(data: Request, existing: AttributeMap | undefined): ApiError | null | undefined;
    createKey(item: AttributeMap, table: Table): string;
    itemSize(item: AttributeMap): number;
    validationError(message: string): ApiError;
  }
  const db: Db;
  export default db;
}

declare module 'dynalite/validations/index.js' {
  import type { Request, Store } from 'dynalite/db/index.js';
  interface Validations {
    checkTypes(data: Request, types: unknown): Request;
    checkValidations(data: Request, types: unknown, custom: unknown, store: Store): void;
  }
  const validations: Validations;
  export default validations;
}

/** An operation's validations (`types` and `custom`), as dynalite's server applies them. */
declare module 'dynalite/validations/*' {
  export const types: unknown;
  export const custom: unknown;
}

/** An operation, as dynalite's server calls it once the request is validated. */
declare module 'dynalite/actions/*' {
  import type { Callback, Request, Store } from 'dynalite/db/index.js';
  const action: (store: Store, data: Request, cb: Callback<Record<string, unknown>>) => void;
  export default action;
}

/** dynalite's expression parsers (PEG.js): the validations call `parse` through this object. */
declare module 'dynalite/db/*Parser.js' {
  import type { Parser } from '../parse-cache';
  const parser: Parser;
  export default parser;
}
