import { WholeNumberQuery } from '../../platform/http/dto/whole-number-query';

export class GetConsistencyProofQueryDto {
  @WholeNumberQuery({ required: true, minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Tree size of the earlier checkpoint' })
  first!: number;

  @WholeNumberQuery({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Tree size of the later checkpoint; the latest when omitted' })
  second?: number;
}
