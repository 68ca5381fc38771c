// The direction of imports between the folders of src/, as ESLint `no-restricted-imports` rules: entry points →
// exporter → (server, sinks, record, capture) → (metrics, codes, events). See STYLE.md, "The layout".
// Plain JavaScript, so that eslint.config.js loads it without a TypeScript loader.

/** Every module of src/ a rule can name: a folder, or a file directly under src/ (without `.js`). */
const MODULES = [
  'events',
  'logger',
  'codes',
  'metrics',
  'capture',
  'record',
  'sinks',
  'server',
  'config',
  'exporter',
  'cli',
  'register',
  'index',
  'otel',
];

/**
 * What each folder may import besides its own files: a module, or `module/path.js` for one file of it.
 */
export const LAYERS = {
  events: [],
  logger: [],
  codes: ['logger'],
  metrics: [],
  capture: ['events', 'codes', 'logger'],
  record: ['events', 'codes', 'metrics', 'logger'],
  sinks: ['record', 'metrics', 'logger'],
  // The server's sources are its own interfaces (server/sources.ts); config only for ConfigError and TlsSettings.
  server: ['codes', 'logger', 'config/config-error.js', 'config/web-config.js'],
  // The default frame limit lives in the dependency-free frame reader.
  config: ['codes', 'metrics', 'logger', 'capture/protocol/frame-reader.js'],
  exporter: ['events', 'logger', 'codes', 'metrics', 'capture', 'record', 'sinks', 'server', 'config'],
  cli: ['exporter', 'config', 'codes', 'logger', 'record/build-info.js'],
  register: ['exporter', 'logger'],
  index: ['events', 'codes', 'metrics', 'capture', 'record', 'sinks', 'exporter'],
  otel: ['sinks'],
};

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regex source matching an import of any module `layer` may not use, after the `prefix` that leaves it. */
function forbiddenImports(layer, prefix) {
  const allowed = LAYERS[layer];
  const alternatives = [];
  for (const module of MODULES) {
    if (module === layer || allowed.includes(module)) continue;
    const files = allowed
      .filter((entry) => entry.startsWith(`${module}/`))
      .map((entry) => entry.slice(module.length + 1));
    alternatives.push(
      files.length === 0 ? `${module}(?:/|\\.js$)` : `${module}/(?!(?:${files.map(escape).join('|')})$)`,
    );
  }
  return `^${prefix}(?:${alternatives.join('|')})`;
}

function message(layer) {
  const allowed = LAYERS[layer].length === 0 ? 'nothing else' : LAYERS[layer].join(', ');
  return `src/${layer} may import only its own files and ${allowed} (the import direction of STYLE.md).`;
}

/** The flat-config entries: one per folder, and one per file directly under src/. */
export function layerRules() {
  return Object.keys(LAYERS).map((layer) => {
    const isFile = ['events', 'logger', 'register', 'index', 'otel'].includes(layer);
    return {
      files: isFile ? [`src/${layer}.ts`] : [`src/${layer}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                regex: forbiddenImports(layer, isFile ? '\\./' : '(?:\\.\\./)+'),
                message: message(layer),
              },
            ],
          },
        ],
      },
    };
  });
}
