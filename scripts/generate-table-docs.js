#!/usr/bin/env node
// `npm run docs:tables`: writes the documentation of the read-model tables into README.md, from the table specs.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
require('./swc-register');

const root = join(__dirname, '..');

const { LEDGER_TABLES } = require(join(root, 'libs/read-models/src/tables/ledger.tables.ts'));
const { tablesMarkdown, withTablesDoc, withViewsDoc } = require(join(root, 'libs/read-models/src/tables/tables-markdown.ts'));
const { BI_VIEWS, biViewsMarkdown } = require(join(root, 'libs/read-models/src/storage/postgres/postgres-bi.views.ts'));

const readme = join(root, 'README.md');
writeFileSync(readme, withViewsDoc(withTablesDoc(readFileSync(readme, 'utf8'), tablesMarkdown(LEDGER_TABLES)), biViewsMarkdown(BI_VIEWS)));
console.log(`README.md: ${LEDGER_TABLES.length} read-model tables and ${BI_VIEWS.length} PostgreSQL views documented`);
