import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bodyRead } from '../../../common/request-deadline';
import { answer, type QdrantAnswer } from '../answer';
import { QdrantHttpError } from '../qdrant-error';

/** The field of the multipart form an upload sends its file in (Qdrant's). */
const UPLOAD_FIELD = 'snapshot';

/**
 * Qdrant's answer to a snapshot operation: with `wait=false`, a 202 with no result, as Qdrant
 * answers before the work is done. vecgate has done it by then either way (an error is answered).
 */
export async function waited<T>(
  wait: string | undefined,
  reply: FastifyReply,
  work: () => Promise<T>,
): Promise<QdrantAnswer<T> | { result: null; status: 'accepted'; time: number }> {
  const done = await answer(work);
  if (wait !== 'false') return done;
  void reply.status(202);
  return { result: null, status: 'accepted', time: done.time };
}

/** The file part of a snapshot upload (multipart field `snapshot`), and the point to let the request's deadline go. */
export async function uploadedFile(request: FastifyRequest) {
  if (!request.isMultipart())
    throw QdrantHttpError.badRequest(`send the snapshot file as multipart/form-data, in the field ${UPLOAD_FIELD}`);
  const part = await request.file();
  if (!part || part.fieldname !== UPLOAD_FIELD)
    throw QdrantHttpError.badRequest(`send the snapshot file in the multipart field ${UPLOAD_FIELD}`);
  // The request's deadline holds until the file has come whole; the recovery may then take its time.
  part.file.once('end', () => bodyRead(request));
  return part.file;
}

/** A snapshot file as Qdrant sends one, under a name safe in a header. */
export async function sendFile(reply: FastifyReply, name: string, file: Readable): Promise<void> {
  await reply
    .status(200)
    .type('application/octet-stream')
    .header('content-disposition', `attachment; filename="${name.replace(/[^\w.-]/g, '_')}"`)
    .send(file);
}

export const UPLOAD_BODY = {
  schema: { type: 'object', properties: { [UPLOAD_FIELD]: { type: 'string', format: 'binary' } } },
};
