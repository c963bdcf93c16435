/** Runs `call`, which must reject; returns what it rejected with (to assert on its type and fields). */
export async function rejection(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to reject, but it resolved');
}
