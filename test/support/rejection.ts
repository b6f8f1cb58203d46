/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection<E extends Error = Error & {details?: any}>(promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (err) {
    return err as E;
  }
  throw new Error('expected the call to reject, but it resolved');
}
