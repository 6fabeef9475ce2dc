// What EventStoreDB 24.10 answers to ServerFeatures.GetSupportedMethods.
//
// Derived (not copied) from EventStore/EventStore at tag v24.10.0 (commit 8f7a971cf92d3be423a5bc7619737e25b769d440),
// unchanged on the release/v24.10 branch up to 516d92816:
//  - src/EventStore.Core/Services/Transport/Grpc/ServerFeatures.cs: every mapped gRPC endpoint whose service's
//    full name contains "client" is listed, method and service names lower-cased; PersistentSubscriptions methods
//    get features ["stream", "all"], Streams methods whose name contains "Read" get ["position", "events"],
//    Streams.BatchAppend gets ["deadline_duration"], Projections.Create gets ["track_emitted_streams"];
//    event_store_server_version is the first three dot-separated parts of the build version ("24.10.0").
//  - src/EventStore.Core/ClusterVNodeStartup.cs maps PersistentSubscriptions, Users, Streams, cluster Gossip and
//    Elections (package event_store.cluster: not "client", so not listed), Operations, client Gossip, Monitoring,
//    ServerFeatures and Redaction; src/EventStore.Projections.Core/ProjectionsSubsystem.cs maps Projections when
//    the projections subsystem runs (RunProjections >= System, as in the ledger's docker-compose / testcontainers).
//  - the method lists come from src/Protos/Grpc/{persistent,users,streams,operations,gossip,monitoring,
//    serverfeatures,redaction,projections}.proto at that tag.
//  - src/EventStore.Core.Tests/Services/Transport/Grpc/ServerFeaturesTests/ServerFeaturesTest.cs and
//    src/EventStore.Projections.Core.Tests/Services/grpc_service/ServerFeaturesTests.cs assert exactly this set.
// The order of `methods` is not significant: the client builds a map keyed by "/service/method".

export interface SupportedMethodSpec {
  methodName: string;
  serviceName: string;
  features: string[];
}

interface ServiceSpec {
  service: string;
  methods: string[];
}

const SERVICES_2410: ServiceSpec[] = [
  {
    service: 'event_store.client.persistent_subscriptions.PersistentSubscriptions',
    methods: ['Create', 'Update', 'Delete', 'Read', 'GetInfo', 'ReplayParked', 'List', 'RestartSubsystem'],
  },
  {
    service: 'event_store.client.users.Users',
    methods: ['Create', 'Update', 'Delete', 'Disable', 'Enable', 'Details', 'ChangePassword', 'ResetPassword'],
  },
  { service: 'event_store.client.streams.Streams', methods: ['Read', 'Append', 'Delete', 'Tombstone', 'BatchAppend'] },
  {
    service: 'event_store.client.operations.Operations',
    methods: [
      'StartScavenge',
      'StopScavenge',
      'Shutdown',
      'MergeIndexes',
      'ResignNode',
      'SetNodePriority',
      'RestartPersistentSubscriptions',
    ],
  },
  { service: 'event_store.client.gossip.Gossip', methods: ['Read'] },
  { service: 'event_store.client.monitoring.Monitoring', methods: ['Stats'] },
  { service: 'event_store.client.server_features.ServerFeatures', methods: ['GetSupportedMethods'] },
  { service: 'event_store.client.redaction.Redaction', methods: ['GetEventPositions', 'SwitchChunks'] },
];

const PROJECTIONS_2410: ServiceSpec = {
  service: 'event_store.client.projections.Projections',
  methods: ['Create', 'Update', 'Delete', 'Statistics', 'Disable', 'Enable', 'Reset', 'State', 'Result', 'RestartSubsystem'],
};

function featuresOf(service: string, method: string): string[] {
  // Same precedence as ServerFeatures.cs: the first matching rule wins.
  if (service.includes('PersistentSubscriptions')) return ['stream', 'all'];
  if (service.includes('Streams') && method.includes('Read')) return ['position', 'events'];
  if (service.includes('Streams') && method.includes('BatchAppend')) return ['deadline_duration'];
  if (service.includes('Projections') && method.includes('Create')) return ['track_emitted_streams'];
  return [];
}

export function supportedMethods2410(options: { projections: boolean; batchAppend?: boolean }): SupportedMethodSpec[] {
  const services = options.projections ? [...SERVICES_2410, PROJECTIONS_2410] : SERVICES_2410;
  const out: SupportedMethodSpec[] = [];
  for (const { service, methods } of services) {
    for (const method of methods) {
      if (options.batchAppend === false && method === 'BatchAppend') continue;
      out.push({ methodName: method.toLowerCase(), serviceName: service.toLowerCase(), features: featuresOf(service, method) });
    }
  }
  return out;
}
