export * from './principal.model';
export * from './auth.decorators';
export * from './auth.guard';
export * from './token.registry';
export * from './token-file.follower';
export * from './early-authentication';
