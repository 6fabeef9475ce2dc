import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LEDGER_TABLES } from './ledger.tables';
import { snakeCase } from './table-spec';
import { BI_VIEWS, biViewsMarkdown } from '../storage/postgres/postgres-bi.views';
import { tablesMarkdown, withTablesDoc, withViewsDoc } from './tables-markdown';

const README = join(__dirname, '../../../../README.md');

describe('the documentation of the read-model tables', () => {
  it('in README.md is the one generated from the table specs (npm run docs:tables rewrites it)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(withTablesDoc(readme, tablesMarkdown(LEDGER_TABLES))).toBe(readme);
  });

  it('in README.md documents the PostgreSQL views for BI tools as generated from their declarations', () => {
    const readme = readFileSync(README, 'utf8');
    expect(withViewsDoc(readme, biViewsMarkdown())).toBe(readme);
    for (const view of BI_VIEWS) expect(readme).toContain(`#### view \`${view.name}\``);
  });

  it('names every table and column as SQL sees them, with what it means', () => {
    const text = tablesMarkdown(LEDGER_TABLES);
    for (const table of LEDGER_TABLES) {
      expect(text).toContain(`#### \`${table.name}\`: ${table.question}`);
      for (const [column, spec] of Object.entries(table.columns)) {
        expect(spec.description.length).toBeGreaterThan(2);
        expect(text).toContain(`| \`${snakeCase(column)}\` |`);
      }
    }
  });

  it('refuses a README without the markers rather than appending somewhere', () => {
    expect(() => withTablesDoc('# no markers here', 'x')).toThrow('markers');
  });
});
