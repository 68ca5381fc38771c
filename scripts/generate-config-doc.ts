// Writes docs/configuration.md from the option table (npm run generate:config-doc; `-- --check` only compares).
import { renderConfigurationDoc } from './configuration-doc.js';
import { writeOrCheck } from './generated-file.js';

writeOrCheck(
  new URL('../docs/configuration.md', import.meta.url),
  renderConfigurationDoc(),
  'generate:config-doc',
);
