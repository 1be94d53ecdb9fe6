import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { map, Observable } from 'rxjs';
import { stringifyWithRaw } from './raw-json';

/**
 * Every answer is JSON with an application/json content type, including bare strings, numbers and
 * booleans (Chroma's version, count, reset): clients pick their parser from the content type.
 * A route that returns nothing answers with an empty body (Pinecone's delete index).
 * Handlers may put RawJson leaves in what they return.
 */
@Injectable()
export class JsonResponseInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const res = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      map((value) => {
        if (value === undefined) return value;
        res.type('application/json');
        // Serialised here rather than by the framework so that RawJson leaves (vectors) go out as they are.
        return stringifyWithRaw(value ?? null);
      }),
    );
  }
}
