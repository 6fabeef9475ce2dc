import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ReadYourWritesInterceptor } from './read-your-writes.interceptor';

/** Every write answers once the read models show it (or says `Read-Models: pending`): see the interceptor. */
@Module({ providers: [{ provide: APP_INTERCEPTOR, useClass: ReadYourWritesInterceptor }] })
export class ReadYourWritesModule {}
