/** One field of a value the HTTP layer holds unvalidated (a refused request's body, an answer, a path's parameters): undefined unless it is an object with that field. */
export const fieldOf = (value: unknown, name: string): unknown => (typeof value === 'object' && value !== null ? Reflect.get(value, name) : undefined);
