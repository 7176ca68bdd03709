// Build step (bundled to dist/pglite-template.js): `node dist/pglite-template.js <dir>` writes the embedded
// database template a first start copies (see pglite-template.ts).
import { buildTemplate } from './pglite-template.js';

const target = process.argv[2];
if (!target) {
  console.error('usage: node dist/pglite-template.js <template data dir>');
  process.exit(2);
}
await buildTemplate(target);
