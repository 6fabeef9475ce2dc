import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { JwkSet } from '@ledger/integrity';
import { Public } from '../../platform/http/request-context';
import { NotaryService } from '../notary.service';
import { responseBody } from '../../platform/openapi/api-response-bodies';

@ApiTags('integrity')
@Controller('.well-known')
export class GetSigningKeysController {
  constructor(private readonly notary: NotaryService) {}

  @Get('ledger-keys.json')
  @Public()
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({
    summary: "The notary's public keys (JWK Set, Ed25519, RFC 8037)",
    description:
      'Checkpoints name the key that signed them in `keyId` (hex SHA-256 of the DER SubjectPublicKeyInfo). Auditors keep a copy: the standalone verifier in tools/ledger-verifier checks proofs with it alone.',
  })
  @ApiOkResponse({ description: '{ keys: [{ kty: "OKP", crv: "Ed25519", x, kid, use: "sig", alg: "EdDSA" }] }', ...responseBody('JwkSet') })
  keys(): JwkSet {
    return this.notary.publicKeys();
  }
}
