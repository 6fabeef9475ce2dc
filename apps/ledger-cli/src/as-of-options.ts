import { Command } from 'commander';
import { AsOf, AsOfError, AsOfJson, EntriesPage, EntriesPageRequest, InvalidPageError, MAX_ENTRIES_LIMIT, entriesPageOf, parseAsOfValue, parseClock } from '@ledger/read-models';
import { CliError, EXIT } from './ledger-files';

export interface AsOfOptions {
  asOf?: string;
  clock?: string;
  position?: string;
}

export const addAsOfOptions = (command: Command): Command =>
  command
    .option('--as-of <instant>', 'look from this moment: an ISO-8601 date-time with offset (2019-06-03T09:00:00Z) or a date (the end of that UTC day)')
    .option('--clock <clock>', 'which clock --as-of is on: recorded (as the ledger knew it then; default) or stated (what the parties had said by then)')
    .option('--position <n>', 'look from this global log position instead (events at or before it)');

/**
 * The moment the options name, undefined for "now". The values are parsed by
 * the library the HTTP audit API uses, so the CLI and the API accept and
 * normalise exactly the same inputs.
 */
export const asOfFromOptions = (options: AsOfOptions): AsOf | undefined => {
  try {
    if (options.asOf !== undefined && options.position !== undefined) {
      throw new CliError('give --as-of or --position, not both: each is a different clock', EXIT.usage);
    }
    if (options.position !== undefined) {
      if (options.clock !== undefined && options.clock !== 'position') {
        throw new CliError(`--clock ${options.clock} does not go with --position (a log position is its own clock)`, EXIT.usage);
      }
      return parseAsOfValue('position', options.position, '--position');
    }
    if (options.asOf !== undefined) return parseAsOfValue(parseClock(options.clock, '--clock'), options.asOf, '--as-of');
    if (options.clock !== undefined) throw new CliError('--clock needs --as-of <instant>', EXIT.usage);
    return undefined;
  } catch (error) {
    if (error instanceof AsOfError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
};

export const describeAsOf = (asOf: AsOf | AsOfJson | undefined): string =>
  asOf === undefined ? 'now' : asOf.clock === 'position' ? `log position ${asOf.position}` : `${asOf.clock} time ${asOf.at}`;

export interface PageOptions {
  limit?: string;
  after?: string;
}

/** --limit and --after: a page of the incident's claims and denials, as the API's `limit` and `after` give it. */
export const addPageOptions = (command: Command): Command =>
  command
    .option('--limit <n>', `a page of this many claims and denials (1 to ${MAX_ENTRIES_LIMIT}), in log order; without it, all of them`)
    .option('--after <position>', "the page after this one: the previous page's next (a log position)");

export const pageFromOptions = (options: PageOptions): EntriesPageRequest | undefined => {
  if (options.limit === undefined && options.after === undefined) return undefined;
  if (options.limit !== undefined && !/^\d{1,4}$/.test(options.limit)) throw new CliError(`--limit must be a whole number from 1 to ${MAX_ENTRIES_LIMIT}`, EXIT.usage);
  const page = { limit: options.limit === undefined ? MAX_ENTRIES_LIMIT : Number(options.limit), ...(options.after !== undefined ? { after: options.after } : {}) };
  try {
    entriesPageOf(page);
  } catch (error) {
    if (error instanceof InvalidPageError) throw new CliError(`--${error.field}: ${error.message}`, EXIT.usage);
    throw error;
  }
  return page;
};

/** A text answer, and when it is a page, a line saying which page it is and how to ask for the next. */
export const withPageLine = (text: string, page: EntriesPage | undefined, command: string): string => {
  if (!page) return text;
  const which = `${page.limit} claims and denials${page.after ? ` after position ${page.after}` : ''}`;
  return `${text}\n\n${page.next === null ? `(the last page of ${which})` : `(a page of ${which}; the next: ${command} --limit ${page.limit} --after ${page.next})`}`;
};
