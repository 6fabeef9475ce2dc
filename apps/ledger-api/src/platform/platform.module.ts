import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AuthGuard } from './auth/auth.guard';
import { TokenRegistry } from './auth/token.registry';
import { LEDGER_CONFIG, type LedgerConfig } from './config/ledger-config';
import { CorrelationIdInstaller } from './http/correlation';
import { ProblemDetailsFilter } from './problem/problem-details.filter';
import { createValidationPipe } from './problem/validation.pipe';

export interface LedgerPlatformOptions {
  config: LedgerConfig;
  tokens: TokenRegistry;
}

/**
 * Everything HTTP-wide in one import: LEDGER_CONFIG and TokenRegistry
 * providers (global), the deny-by-default AuthGuard, the problem+json filter,
 * the validation pipe and the correlation-id hook.
 * `imports: [LedgerPlatformModule.forRoot({ config, tokens: bootstrap.registry })]`.
 */
@Module({})
export class LedgerPlatformModule {
  static forRoot(options: LedgerPlatformOptions): DynamicModule {
    return {
      module: LedgerPlatformModule,
      global: true,
      providers: [
        { provide: LEDGER_CONFIG, useValue: options.config },
        { provide: TokenRegistry, useValue: options.tokens },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: () => createValidationPipe() },
        CorrelationIdInstaller,
      ],
      exports: [LEDGER_CONFIG, TokenRegistry],
    };
  }
}
