import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Observable, from, mergeMap } from 'rxjs';
import { ProjectionHost } from '../../application/projection.host';
import { writtenPosition } from './written-position';

/**
 * A recorder who writes and then reads expects to see the write. Commands
 * answer only once the read models reached the command's position, or say
 * in `Read-Models: pending` that they did not in time.
 */
@Injectable()
export class ReadYourWritesInterceptor implements NestInterceptor {
  constructor(private readonly projections: ProjectionHost) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      mergeMap((body) => {
        const position = writtenPosition(reply);
        if (position === undefined) return [body];
        return from(
          this.projections.caughtUpTo(position).then((upToDate) => {
            reply.header('Read-Models', upToDate ? 'current' : 'pending');
            return body;
          }),
        );
      }),
    );
  }
}
