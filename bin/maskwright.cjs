#!/usr/bin/env node
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const entry = join(__dirname, '..', 'dist', 'cli', 'index.cjs');
if (!existsSync(entry)) {
  console.error(
    'maskwright: the CLI is not built yet; run `npm install` (or `npm run build`) in the Maskwright folder',
  );
  process.exit(1);
}
require(entry);
