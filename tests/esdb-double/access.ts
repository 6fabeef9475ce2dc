// Authentication and stream access of a secure EventStoreDB 24.10 node, for the double's `access: 'secure'` mode.
// Followed, not copied, from the v24.10.0 tag of github.com/EventStore/EventStore:
//  - src/EventStore.Core/Services/Transport/Http/AuthenticationMiddleware.cs (HandleAsGrpcAsync): every gRPC call is
//    authenticated first; a Basic header that names no user or a wrong password ends the call UNAUTHENTICATED
//    "Unauthenticated"; no header at all authenticates as anonymous (AnonymousHttpAuthenticationProvider).
//  - src/EventStore.Core/Authorization/AuthorizationPolicies/LegacyPolicySelectorFactory.cs: with
//    AllowAnonymousStreamAccess false (ClusterVNodeOptions' default since 24.10), Streams.Read/Write/Delete need an
//    authenticated user and then the stream ACL (LegacyStreamPermissionAssertion); gossip's client read stays
//    anonymous (OverrideAnonymousEndpointAccessForGossip defaults to true).
//  - Default ACLs (SystemSettings): user streams may be read and written by any authenticated user; system streams
//    (`$`-prefixed, metastreams follow their stream) and `$all` only by `$admins`. Denial: PERMISSION_DENIED
//    "Access Denied" with exception "access-denied" (RpcExceptions.AccessDenied).
import { grpc, rpcError, type RpcErrorShape } from './proto';

export interface EsdbDoubleUser {
  username: string;
  password: string;
  /** Roles, e.g. `$admins`, `$ops`, or a custom group. */
  groups?: string[];
}

/** The two users a fresh secure node has (default password "changeit"). */
export const DEFAULT_USERS: readonly EsdbDoubleUser[] = [
  { username: 'admin', password: 'changeit', groups: ['$admins'] },
  { username: 'ops', password: 'changeit', groups: ['$ops'] },
];

export type Caller = { kind: 'anonymous' } | { kind: 'user'; user: EsdbDoubleUser };

export class NodeAccess {
  private readonly users: Map<string, EsdbDoubleUser>;

  constructor(users: readonly EsdbDoubleUser[]) {
    this.users = new Map(users.map((u) => [u.username, u]));
  }

  /** The caller behind a call's metadata, or the UNAUTHENTICATED error that ends the call before any handler. */
  authenticate(metadata: grpc.Metadata): Caller | RpcErrorShape {
    const values = metadata.get('authorization');
    if (values.length === 0) return { kind: 'anonymous' };
    const basic = values.length === 1 ? /^Basic\s+(\S+)$/.exec(String(values[0])) : null;
    // A header the Basic provider does not take falls through to the anonymous provider.
    if (!basic) return { kind: 'anonymous' };
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { kind: 'anonymous' };
    const user = this.users.get(decoded.slice(0, colon));
    if (!user || user.password !== decoded.slice(colon + 1)) return rpcError(grpc.status.UNAUTHENTICATED, 'Unauthenticated');
    return { kind: 'user', user };
  }

  /** `stream` '' or '$all' is the global log. Undefined when allowed, else the AccessDenied error. */
  checkStream(caller: Caller, stream: string, operation: 'read' | 'write' | 'delete'): RpcErrorShape | undefined {
    const denied = () => rpcError(grpc.status.PERMISSION_DENIED, 'Access Denied', { exception: 'access-denied' });
    if (caller.kind === 'anonymous') return denied();
    const target = stream === '' ? '$all' : stream;
    if (target === '$all' && operation !== 'read') return denied();
    const original = target.startsWith('$$') ? target.slice(2) : target;
    const isSystem = target === '$all' || original.startsWith('$');
    if (isSystem && !(caller.user.groups ?? []).includes('$admins')) return denied();
    return undefined;
  }
}

export function isRpcErrorShape(value: Caller | RpcErrorShape): value is RpcErrorShape {
  return 'code' in value;
}
