import { createHash } from 'node:crypto';
import { canonicalJson } from '@ledger/integrity';
import { CommandContext } from './command-context';
import { nameBasedUuid } from './uuid-v5';

// Fixed namespace so that the same principal + key always yields the same ids, across restarts and nodes.
const LEDGER_NAMESPACE = '2f0c6f3e-8f7b-4b8e-9d55-4b6b1c7a9e21';
const ledgerUuid = nameBasedUuid(LEDGER_NAMESPACE);

const scoped = (ctx: Pick<CommandContext, 'principal' | 'idempotencyKey'>, suffix: string): string =>
  ledgerUuid(`${ctx.principal}\n${ctx.idempotencyKey}\n${suffix}`);

/** Event id of the i-th event of a command sent with an Idempotency-Key. */
export const idempotentEventId = (ctx: Pick<CommandContext, 'principal' | 'idempotencyKey'>, index: number): string =>
  scoped(ctx, `event:${index}`);

/** The stream that binds one principal's Idempotency-Key to the first request sent with it. */
export const idempotencyStream = (ctx: Pick<CommandContext, 'principal' | 'idempotencyKey'>): string =>
  `idempotency-${scoped(ctx, 'key')}`;

/**
 * Id of the reservation event, derived from the request too: two different requests racing with one key must not
 * pass for a retry of each other (the store would then accept the second reservation as a replay of the first).
 */
export const reservationEventId = (ctx: Pick<CommandContext, 'principal' | 'idempotencyKey' | 'requestHash'>): string =>
  scoped(ctx, `reservation:${ctx.requestHash ?? ''}`);

/**
 * Id of an entity a command creates (incident, claim, denial, amendment):
 * derived from the key when there is one, so a retried request addresses the
 * same entity instead of creating a second one.
 */
export const entityId = (
  ctx: Pick<CommandContext, 'principal' | 'idempotencyKey'>,
  kind: string,
  random: () => string,
): string => (ctx.idempotencyKey ? scoped(ctx, `entity:${kind}`) : random());

export const requestHash = (method: string, path: string, body: unknown): string =>
  createHash('sha256')
    .update(canonicalJson({ method, path, body: body ?? null }) ?? '')
    .digest('hex');
