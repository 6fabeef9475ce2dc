// Message classes and service definitions of the EventStoreDB gRPC protocol, loaded from the
// client package itself (@eventstore/db-client/generated). The generated serializers check
// `instanceof` against these very classes, so the double must not use copies of the protos.
import * as grpc from '@grpc/grpc-js';
import * as streamsPb from '@eventstore/db-client/generated/streams_pb';
import * as sharedPb from '@eventstore/db-client/generated/shared_pb';
import * as statusPb from '@eventstore/db-client/generated/status_pb';
import * as codePb from '@eventstore/db-client/generated/code_pb';
import * as serverFeaturesPb from '@eventstore/db-client/generated/serverfeatures_pb';
import * as gossipPb from '@eventstore/db-client/generated/gossip_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { GossipService } from '@eventstore/db-client/generated/gossip_grpc_pb';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Empty as GoogleEmpty } from 'google-protobuf/google/protobuf/empty_pb';

export {
  grpc,
  streamsPb,
  sharedPb,
  statusPb,
  codePb,
  serverFeaturesPb,
  gossipPb,
  StreamsService,
  ServerFeaturesService,
  GossipService,
  Any,
  GoogleEmpty,
};

export function streamNameOf(identifier: sharedPb.StreamIdentifier | undefined): string | undefined {
  if (!identifier) return undefined;
  return Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
}

export function streamIdentifier(name: string): sharedPb.StreamIdentifier {
  const id = new sharedPb.StreamIdentifier();
  id.setStreamName(Buffer.from(name, 'utf8'));
  return id;
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Canonical lower-case "D" form, as .NET's Guid.ToString() renders it on reads. */
export function canonicalUuid(text: string): string | undefined {
  const trimmed = text.trim().replace(/^\{(.*)\}$/, '$1');
  if (!UUID_RE.test(trimmed)) return undefined;
  const hex = trimmed.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Reads a shared UUID message (string or structured form) into canonical text. */
export function uuidText(uuid: sharedPb.UUID | undefined): string | undefined {
  if (!uuid) return undefined;
  if (uuid.hasString()) return canonicalUuid(uuid.getString());
  if (uuid.hasStructured()) {
    const s = uuid.getStructured()!;
    const msb = BigInt.asUintN(64, BigInt(s.getMostSignificantBits()));
    const lsb = BigInt.asUintN(64, BigInt(s.getLeastSignificantBits()));
    const hex = msb.toString(16).padStart(16, '0') + lsb.toString(16).padStart(16, '0');
    return canonicalUuid(hex);
  }
  return undefined;
}

/** Builds a UUID message in the form the caller asked for (ReadReq.Options.UUIDOption). */
export function uuidMessage(text: string, structured: boolean): sharedPb.UUID {
  const uuid = new sharedPb.UUID();
  if (!structured) {
    uuid.setString(text);
    return uuid;
  }
  const hex = text.replace(/-/g, '');
  const s = new sharedPb.UUID.Structured();
  s.setMostSignificantBits(BigInt.asIntN(64, BigInt('0x' + hex.slice(0, 16))).toString());
  s.setLeastSignificantBits(BigInt.asIntN(64, BigInt('0x' + hex.slice(16))).toString());
  uuid.setStructured(s);
  return uuid;
}

export interface RpcErrorShape {
  code: grpc.status;
  details: string;
  metadata: grpc.Metadata;
}

/** A gRPC status with EventStoreDB's trailers (`exception`, `stream-name`, ...). */
export function rpcError(code: grpc.status, details: string, trailers: Record<string, string> = {}): RpcErrorShape {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  return { code, details, metadata };
}

/** A google.rpc.Status as BatchAppendResp.error carries it, with `details` packed into an Any. */
export function rpcStatus(code: codePb.Code, message: string, details: { msg: { serializeBinary(): Uint8Array }; typeName: string }): statusPb.Status {
  const status = new statusPb.Status();
  status.setCode(code);
  status.setMessage(message);
  const any = new Any();
  any.pack(details.msg.serializeBinary(), details.typeName);
  status.setDetails(any);
  return status;
}
