// dist/console.json is built (build.ts), not committed: this lets the typecheck run before the first build.
declare module '*/dist/console.json' {
  const built: import('./assets').ConsoleAssets;
  export default built;
}
