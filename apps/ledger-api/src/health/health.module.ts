import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EventLoopDelay } from './event-loop-delay.service';
import { HealthController } from './health.controller';
import { ReadinessService } from './readiness.service';

@Module({
  imports: [TerminusModule],
  controllers: [
    HealthController,
  ],
  providers: [EventLoopDelay, ReadinessService],
})
export class HealthModule {}
