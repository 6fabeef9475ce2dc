import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { componentName, RESPONSE_SCHEMAS_FILE, responseSchemasFileContent, toOpenApiSchema } from './generate-response-schemas';
import { addResponseSchemas, withoutNullable } from './setup-openapi';
import type { OpenAPIObject } from '@nestjs/swagger';

const ROOT = join(__dirname, '../../../../..');

describe('response schemas', () => {
  it('are exactly what `npm run schemas` generates from the TypeScript types today', () => {
    expect(readFileSync(join(ROOT, RESPONSE_SCHEMAS_FILE), 'utf8')).toBe(responseSchemasFileContent(ROOT));
  }, 120_000);

  it('move draft-07 definitions under components, spell tuples the 2020-12 way and name generic instances', () => {
    expect(componentName('Page<PartyRecordDoc>')).toBe('PageOfPartyRecordDoc');
    expect(
      toOpenApiSchema({
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties: {
          page: { $ref: '#/definitions/Page%3CIncidentListItem%3E' },
          pair: { type: 'array', items: [{ type: 'string' }, { type: 'number' }], additionalItems: false, minItems: 2 },
        },
      }),
    ).toEqual({
      type: 'object',
      properties: {
        page: { $ref: '#/components/schemas/PageOfIncidentListItem' },
        pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], items: false, minItems: 2 },
      },
    });
  });

  it('writes in place what the generator names after compiler ids, which move with every edit', () => {
    const definitions = { 'AccountEntry<alias-731470504-74632>': { type: 'object', properties: { value: { type: 'string' } } } };
    expect(toOpenApiSchema({ $ref: '#/definitions/AccountEntry%3Calias-731470504-74632%3E' }, definitions)).toEqual(definitions['AccountEntry<alias-731470504-74632>']);
  });

  it("turns Nest's OpenAPI 3.0 `nullable` into a 3.1 type union", () => {
    expect(withoutNullable({ type: 'string', nullable: true, example: 'x' })).toEqual({ type: ['string', 'null'], example: 'x' });
    expect(withoutNullable({ nullable: true, allOf: [{ $ref: '#/components/schemas/A' }] })).toEqual({ anyOf: [{ allOf: [{ $ref: '#/components/schemas/A' }] }, { type: 'null' }] });
    expect(withoutNullable({ properties: { a: { type: 'number', nullable: false } } })).toEqual({ properties: { a: { type: 'number' } } });
  });

  it('refuses to start on a response naming a schema the document does not have, or a DTO clashing with one', () => {
    const documentWith = (ref: string, schemas: Record<string, object> = {}): OpenAPIObject => ({
      openapi: '3.0.0',
      info: { title: 't', version: '1' },
      paths: { '/x': { get: { responses: { '200': { description: '', content: { 'application/json': { schema: { $ref: ref } } } } } } } },
      components: { schemas },
    });
    expect(() => addResponseSchemas(documentWith('#/components/schemas/PartyList'))).not.toThrow();
    expect(() => addResponseSchemas(documentWith('#/components/schemas/NoSuchBody'))).toThrow(/NoSuchBody/);
    expect(() => addResponseSchemas(documentWith('#/components/schemas/PartyList', { PartyList: { type: 'object' } }))).toThrow(/both a DTO and a generated/);
  });
});
