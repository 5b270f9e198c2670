// tsc mirrors the source tree under dist/; `node dist/main` needs a dist/main.js entry.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
writeFileSync(join(__dirname, '..', 'dist', 'main.js'), "require('./apps/sentinel/src/main');\n");
