/**
 * jest setup file: drops oidc-provider's one "Unsupported runtime" warning (Node 20 is not an LTS it
 * lists; the README says so at the top). A process prints it once at import; jest imports the
 * provider afresh for every test file, so without this each sandbox test file printed it. Every
 * other console output, oidc-provider's other warnings included, goes through untouched.
 */
const RUNTIME_WARNING = 'oidc-provider WARNING: Unsupported runtime';
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].includes(RUNTIME_WARNING)) return;
  warn(...args);
};
