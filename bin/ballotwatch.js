#!/usr/bin/env node
'use strict';
// The CLI entry. The TypeScript sources are compiled to dist/ by `npm ci` (the `prepare` script).
require('../dist/cli/main.js').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`ballotwatch: ${err && err.message ? err.message : err}`); process.exitCode = 2; },
);
