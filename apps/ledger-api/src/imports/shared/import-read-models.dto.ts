import { ApiProperty, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'ImportReadModels' })
export class ImportReadModelsDto {
  @ApiProperty({ enum: ['current', 'pending'], description: 'current: the read models show every line of the import' })
  state!: 'current' | 'pending';

  @ApiProperty({ example: '1234', description: 'Global position the read models have reached' })
  checkpoint!: string;
}
