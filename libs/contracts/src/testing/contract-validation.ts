import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { CloudEventV1 } from 'cloudevents';
import type { LedgerCloudEvent } from '../cloud-event';
import type { JsonSchema } from '../schemas';

/** LedgerCloudEvent is an interface, so TypeScript will not pass it where the SDK wants an indexable object. */
export const sdkInput = (event: LedgerCloudEvent): Partial<CloudEventV1<unknown>> => ({ ...event });

export interface ContractValidators {
  envelope: ValidateFunction;
  data: ReadonlyMap<string, ValidateFunction>;
}

/**
 * Compiles the envelope schema and every data schema as an integrator would: Ajv in strict mode (the generator
 * emits no keyword Ajv does not know), with the string formats the envelope uses.
 */
export const compileContractSchemas = (envelope: JsonSchema, dataSchemas: Readonly<Record<string, JsonSchema>>): ContractValidators => {
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv);
  return {
    envelope: ajv.compile(envelope),
    data: new Map(Object.entries(dataSchemas).map(([storedType, schema]) => [storedType, ajv.compile(schema)])),
  };
};

/** `instancePath keyword`, e.g. `/statement/verbatim type`, so assertions name exactly what failed. */
export const errorsOf = (validate: ValidateFunction): string[] =>
  (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath} ${e.keyword}`);
