import { NotFoundException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
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
