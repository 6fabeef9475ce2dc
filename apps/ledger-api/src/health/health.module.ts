import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { IntegrityModule } from '../integrity/integrity.module';
import { EventLoopDelay } from './event-loop-delay.service';
import { HealthController } from './health.controller';
import { ReadinessService } from './readiness.service';

@Module({
  imports: [TerminusModule, IntegrityModule],
  controllers: [
    HealthController,
  ],
  providers: [EventLoopDelay, ReadinessService],
})
export class HealthModule {}
