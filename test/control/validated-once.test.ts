/**
 * Control input is validated once: an HTTP request by the engine (against the route's schemas),
 * a handle call by MockControl (against the same schemas). The routes call MockControl.unchecked,
 * the same methods without the check; the handle and app.control call MockControl, which checks
 * and then calls the same unchecked method.
 */
import { describe, expect, it, vi } from 'vitest';
import { createHandle } from '../../src/control/handle.js';
import { ApiError } from '../../src/domain/errors.js';
import { buildTestApp, ctl, DOCS_HASH } from '../helpers/build.js';

describe('control input is validated once', () => {
  it('a route calls the unchecked method, not the checking one', async () => {
    const app = buildTestApp();
    const checking = vi.spyOn(app.control, 'recordUsage');
    const unchecked = vi.spyOn(app.control.unchecked, 'recordUsage');
    expect((await ctl(app, 'POST', `/keys/${DOCS_HASH}/usage`, { amount: 1 })).statusCode).toBe(200);
    expect(checking).not.toHaveBeenCalled();
    expect(unchecked).toHaveBeenCalledOnce();
    // A bad body is the engine's 400: the method is never reached.
    expect((await ctl(app, 'POST', `/keys/${DOCS_HASH}/usage`, { amount: 'x' })).statusCode).toBe(400);
    expect(unchecked).toHaveBeenCalledOnce();
  });

  it('the handle checks, with the route’s 400, and only then calls the same unchecked method', async () => {
    const app = buildTestApp();
    const unchecked = vi.spyOn(app.control.unchecked, 'recordUsage');
    const viaRoute = await ctl(app, 'POST', `/keys/${DOCS_HASH}/usage`, { amount: -1 });
    expect(viaRoute.statusCode).toBe(400);
    const handle = createHandle(app);
    const refused = await handle.recordUsage(DOCS_HASH, { amount: -1 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect({ status: (refused as ApiError).status, message: (refused as ApiError).message }).toEqual({ status: 400, message: viaRoute.json().error.message });
    expect(unchecked).not.toHaveBeenCalled();
    await handle.recordUsage(DOCS_HASH, 2);
    expect(unchecked).toHaveBeenCalledOnce();
  });
});
