import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Response } from 'express';
import { map, Observable } from 'rxjs';

/**
 * Every answer is JSON with an application/json content type, including bare strings, numbers and
 * booleans (Chroma's version, count, reset): clients pick their parser from the content type.
 * A route that returns nothing answers with an empty body (Pinecone's delete index).
 */
@Injectable()
export class JsonResponseInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const res = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      map((value) => {
        if (value === undefined) return value;
        res.type('application/json');
        return typeof value === 'object' && value !== null ? value : JSON.stringify(value ?? null);
      }),
    );
  }
}
