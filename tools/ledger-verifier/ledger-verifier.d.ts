/// <reference types="node" />

/** `problems` name the event (stream@revision, position) or checkpoint and why; `notes` describe what was verified. */
export interface Result {
  ok: boolean;
  problems: string[];
  notes: string[];
}

export interface VerifierEvent {
  eventId: string;
  streamName: string;
  revision: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

/** Inputs are untrusted JSON, hence `unknown`: every shape problem is reported, nothing throws. */
export function verifyCheckpoint(cp: unknown, jwks: unknown): Result;
export function verifyInclusionBundle(bundle: unknown, jwks: unknown): Result;
export function verifyConsistencyBundle(bundle: unknown, jwks: unknown): Result;
/** Without `jwks` the keys in the export's checkpoint.json are used. */
export function verifyExportDir(dir: string, jwks?: unknown): Result;

export function eventHashOf(event: VerifierEvent): string;
export function leafHashOf(eventHash: string): Buffer;
export function isLedgerStream(name: unknown): boolean;
export function verifyInclusionProof(leaf: Buffer, index: number, size: number, proof: Buffer[], root: Buffer): boolean;
export function verifyConsistencyProof(m: number, n: number, firstRoot: Buffer, secondRoot: Buffer, proof: Buffer[]): boolean;

/** The command line; returns the exit code (0 verified, 1 not verified, 2 usage error or unreadable input). */
export function main(argv: string[], io?: { out: (text: string) => void; err: (text: string) => void }): number;
