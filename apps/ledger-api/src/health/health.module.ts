import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EventLoopDelay } from './event-loop-delay.service';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule],
  controllers: [
    HealthController,
  ],
  providers: [EventLoopDelay],
})
export class HealthModule {}
