/**
 * Drops oidc-provider's one "Unsupported runtime" warning (Node 20 is not an LTS it lists; the README
 * says so at the top) from this process's console. Import it first — before anything that imports
 * oidc-provider, which warns while it is being imported. Used by the scenario CLI (whose errors are
 * one line) and by jest (which imports the provider afresh for every test file). Every other
 * console output, oidc-provider's other warnings included, goes through untouched.
 */
const RUNTIME_WARNING = 'oidc-provider WARNING: Unsupported runtime';
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].includes(RUNTIME_WARNING)) return;
  warn(...args);
};
