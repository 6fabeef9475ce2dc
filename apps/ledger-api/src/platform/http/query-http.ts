import { NotFoundException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DEFAULT_ENTRIES_LIMIT, EntriesPageRequest, InvalidPageError } from '@ledger/read-models';
import { ProblemException } from '../problem/problem.exception';
import { etagOf } from './command-http';

/** A read model answer, or a 404 naming what was looked for. */
export const found = <T>(doc: T | undefined, what: string): T => {
  if (doc === undefined) throw new NotFoundException(`${what} is not in the ledger`);
  return doc;
};

/** Read models of one stream carry its revision, which is the ETag a client sends back in If-Match. */
export const withEtag = <T extends { revision?: string }>(reply: FastifyReply, doc: T): T => {
  if (doc.revision !== undefined) reply.header('ETag', etagOf(BigInt(doc.revision)));
  return doc;
};

/** A page request as a client sent it, with the default page size when it named none. */
export const entriesPage = (q: EntriesPageRequest): EntriesPageRequest => ({ limit: q.limit ?? DEFAULT_ENTRIES_LIMIT, ...(q.after !== undefined ? { after: q.after } : {}) });

/** Runs a paged read, turning a cursor the read models refuse into a 400 naming it. */
export const pagedRead = async <T>(read: () => Promise<T>): Promise<T> => {
  try {
    return await read();
  } catch (error) {
    if (error instanceof InvalidPageError) throw new ProblemException(400, 'invalid-query', error.message, { field: error.field });
    throw error;
  }
};
