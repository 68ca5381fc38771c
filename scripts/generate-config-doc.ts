// Writes docs/configuration.md from the option table (npm run generate:config-doc).
import { writeFileSync } from 'node:fs';
import { renderConfigurationDoc } from './configuration-doc.js';

const target = new URL('../docs/configuration.md', import.meta.url);
writeFileSync(target, renderConfigurationDoc());
process.stdout.write(`wrote ${target.pathname}\n`);
