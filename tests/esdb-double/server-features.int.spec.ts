// ServerFeatures and Gossip of the EventStoreDB double, asked with raw gRPC clients built from the client's
// generated definitions, then through EventStoreDBClient (discovery over gossip). With EVENTSTORE_TEST_CONNECTION_STRING
// (an insecure node), what a real server answers is checked against the same expectations (tests/support/esdb-target.ts);
// EVENTSTORE_TEST_SERVER_VERSION (major.minor, e.g. 24.10 or 25.0) says which server that is, since the exact method
// list is 24.10's.
import * as grpc from '@grpc/grpc-js';
import { ServerFeaturesClient } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { GossipClient } from '@eventstore/db-client/generated/gossip_grpc_pb';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import type { SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import type { ClusterInfo } from '@eventstore/db-client/generated/gossip_pb';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { REAL_SERVER, describeOnInsecureNode, itOnDouble, startEsdbTarget, type EsdbTarget } from '../support/esdb-target';
import { startEsdbDouble, type EsdbDouble, type EsdbDoubleOptions } from './esdb-double';

// Generous: CI machines here are shared and can stall for seconds; a passing run takes well under a second per test.
jest.setTimeout(30_000);

const SERVER_VERSION = REAL_SERVER ? process.env.EVENTSTORE_TEST_SERVER_VERSION?.trim() || '24.10' : '24.10';
const IS_2410 = SERVER_VERSION === '24.10';

async function supportedMethods(address: string): Promise<SupportedMethods> {
  const client = new ServerFeaturesClient(address, grpc.credentials.createInsecure());
  try {
    return await new Promise((resolve, reject) =>
      client.getSupportedMethods(new Empty(), (err, resp) => (err ? reject(err) : resolve(resp!))),
    );
  } finally {
    client.close();
  }
}

async function withDouble<T>(options: EsdbDoubleOptions, fn: (d: EsdbDouble) => Promise<T>): Promise<T> {
  const d = await startEsdbDouble(options);
  try {
    return await fn(d);
  } finally {
    await d.close();
  }
}

async function withTarget<T>(fn: (t: EsdbTarget) => Promise<T>): Promise<T> {
  const t = await startEsdbTarget();
  try {
    return await fn(t);
  } finally {
    await t.close();
  }
}

const address = (d: EsdbDouble) => `127.0.0.1:${d.port}`;
const SERVER_OPTIONS = 'a server setting the double takes as an option';

const asMap = (resp: SupportedMethods) =>
  new Map(resp.getMethodsList().map((m) => [`/${m.getServiceName()}/${m.getMethodName()}`, m.getFeaturesList()]));

describeOnInsecureNode('ServerFeatures.GetSupportedMethods as EventStoreDB 24.10 answers it', () => {
  it('lists the methods the client chooses its paths by, with their features, lower-cased', async () => {
    await withTarget(async (t) => {
      const methods = asMap(await supportedMethods(t.address));
      expect(methods.get('/event_store.client.streams.streams/batchappend')).toEqual(['deadline_duration']);
      expect(methods.get('/event_store.client.streams.streams/read')).toEqual(['position', 'events']);
      expect(methods.get('/event_store.client.streams.streams/append')).toEqual([]);
      for (const key of methods.keys()) expect(key).toBe(key.toLowerCase());
    });
  });

  const exactly = IS_2410 ? it : it.skip;
  if (!IS_2410) process.stdout.write(`[esdb-target] SKIPPED on the real server: the exact 24.10 method list: EVENTSTORE_TEST_SERVER_VERSION is ${SERVER_VERSION}\n`);
  exactly('lists every client-facing method of 24.10, lower-cased, with the 24.10 features and version', async () => {
    await withTarget(async (t) => {
      const resp = await supportedMethods(t.address);
      // The double says 24.10.0; a real node its own patch release.
      expect(resp.getEventStoreServerVersion()).toMatch(t.double ? /^24\.10\.0$/ : /^24\.10\.\d+$/);
      const methods = asMap(resp);
      // 8 persistent + 8 users + 5 streams + 7 operations + 1 gossip + 1 monitoring + 1 server features
      // + 2 redaction + 10 projections (projections subsystem running)
      expect(methods.size).toBe(43);
      expect(methods.get('/event_store.client.streams.streams/batchappend')).toEqual(['deadline_duration']);
      expect(methods.get('/event_store.client.streams.streams/read')).toEqual(['position', 'events']);
      expect(methods.get('/event_store.client.streams.streams/append')).toEqual([]);
      expect(methods.get('/event_store.client.streams.streams/delete')).toEqual([]);
      expect(methods.get('/event_store.client.streams.streams/tombstone')).toEqual([]);
      expect(methods.get('/event_store.client.projections.projections/create')).toEqual(['track_emitted_streams']);
      expect(methods.get('/event_store.client.projections.projections/update')).toEqual([]);
      expect(methods.get('/event_store.client.server_features.serverfeatures/getsupportedmethods')).toEqual([]);
      expect(methods.get('/event_store.client.redaction.redaction/switchchunks')).toEqual([]);
      expect(methods.get('/event_store.client.gossip.gossip/read')).toEqual([]);
      const persistent = [...methods].filter(([k]) => k.startsWith('/event_store.client.persistent_subscriptions.'));
      expect(persistent.map(([k]) => k.split('/')[2]).sort()).toEqual(
        ['create', 'delete', 'getinfo', 'list', 'read', 'replayparked', 'restartsubsystem', 'update'],
      );
      for (const [, features] of persistent) expect(features).toEqual(['stream', 'all']);
      // cluster-internal services (package event_store.cluster) are not client methods
      expect([...methods.keys()].some((k) => k.includes('event_store.cluster'))).toBe(false);
      for (const key of methods.keys()) expect(key).toBe(key.toLowerCase());
    });
  });

  itOnDouble('leaves the Projections service out when the projections subsystem is off', SERVER_OPTIONS, async () => {
    await withDouble({ projections: false }, async (d) => {
      const methods = asMap(await supportedMethods(address(d)));
      expect(methods.size).toBe(33);
      expect([...methods.keys()].some((k) => k.includes('projections'))).toBe(false);
    });
  });

  itOnDouble('in legacy mode answers UNIMPLEMENTED, like a server that predates ServerFeatures', SERVER_OPTIONS, async () => {
    await withDouble({ mode: 'legacy' }, async (d) => {
      await expect(supportedMethods(address(d))).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
    });
  });

  itOnDouble('in legacy "without-batch-append" mode answers, but without streams/batchappend', SERVER_OPTIONS, async () => {
    await withDouble({ mode: 'legacy', legacyServerFeatures: 'without-batch-append' }, async (d) => {
      const methods = asMap(await supportedMethods(address(d)));
      expect(methods.has('/event_store.client.streams.streams/batchappend')).toBe(false);
      expect(methods.has('/event_store.client.streams.streams/append')).toBe(true);
    });
  });
});

describeOnInsecureNode('Gossip.Read', () => {
  it('describes a single alive leader (on the double: at its own loopback address and port)', async () => {
    await withTarget(async (t) => {
      const client = new GossipClient(t.address, grpc.credentials.createInsecure());
      const info: ClusterInfo = await new Promise((resolve, reject) =>
        client.read(new Empty(), (err, resp) => (err ? reject(err) : resolve(resp!))),
      );
      client.close();
      const [member] = info.getMembersList();
      expect(info.getMembersList()).toHaveLength(1);
      expect(member.getIsAlive()).toBe(true);
      expect(member.getState()).toBe(8); // VNodeState.Leader
      // A real node advertises its own address (in a container, not the one the test reached it by).
      if (t.double) {
        expect(member.getHttpEndPoint()!.getAddress()).toBe('127.0.0.1');
        expect(member.getHttpEndPoint()!.getPort()).toBe(t.double.port);
      }
    });
  });

  itOnDouble('is not called for a single-node esdb:// connection, and is used by esdb+discover://', "counts the double's RPCs", async () => {
    await withDouble({}, async (d) => {
      const direct = EventStoreDBClient.connectionString(d.connectionString);
      await direct.appendToStream('gossip-check-1', jsonEvent({ type: 'T', data: {} }));
      await direct.dispose();
      expect(d.calls['Gossip.Read']).toBe(0);

      const discovering = EventStoreDBClient.connectionString(`esdb+discover://127.0.0.1:${d.port}?tls=false`);
      await discovering.appendToStream('gossip-check-2', jsonEvent({ type: 'T', data: {} }));
      await discovering.dispose();
      expect(d.calls['Gossip.Read']).toBeGreaterThanOrEqual(1);
    });
  });
});
