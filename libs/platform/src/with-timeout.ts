/**
 * `promise`, or a rejection with Error(`message`) once `ms` milliseconds have passed (the promise
 * itself goes on; the caller decides what to do with what it was waiting on).
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, message = 'timeout'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
