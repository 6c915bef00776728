import type { ServerResponse } from 'node:http';

export const NDJSON = 'application/x-ndjson';

/** Whether the client asks for NDJSON before (or instead of) JSON. */
export function prefersNdjson(accept: string | undefined): boolean {
  if (!accept) return false;
  const ndjson = accept.indexOf(NDJSON);
  const json = accept.indexOf('application/json');
  return ndjson >= 0 && (json < 0 || ndjson < json);
}

/**
 * Writes each item of `source` as one JSON line, honouring backpressure: after a write the socket
 * would not take, it waits for 'drain', so memory holds at most one batch whatever the total. Stops
 * reading as soon as the client goes away. Headers go out with the first line, so that an error
 * before it (the store down) can still be answered with a problem; after it, the connection is cut.
 */
export async function writeNdjson<T>(res: ServerResponse, source: AsyncIterable<readonly T[]>, toLine: (item: T) => unknown): Promise<void> {
  let closed = false;
  const onClose = () => {
    closed = true;
  };
  res.once('close', onClose);
  try {
    for await (const batch of source) {
      if (closed) return;
      const chunk = batch.map((item) => `${JSON.stringify(toLine(item))}\n`).join('');
      if (!res.write(chunk)) await drainedOrClosed(res);
    }
    if (!closed) res.end();
  } finally {
    res.off('close', onClose);
  }
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
