import { Module } from '@nestjs/common';
import { NoopClaimsController } from './noop-claims.controller';

@Module({ controllers: [NoopClaimsController] })
export class NoopModule {}
