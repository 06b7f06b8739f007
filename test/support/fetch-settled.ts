/**
 * After a local server closes, the sockets fetch (Node's undici) opened to it close a moment
 * later, and undici's own timers end after them. A test file that used fetch waits for both
 * (events: no TCP handle left in the process, its timers back to what they were before the
 * file's first request), so that its jest worker can exit at once instead of being killed as
 * "failed to exit gracefully".
 */
const timers = (): number => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

/** Call in beforeAll; await what it returns in afterAll. */
export function fetchSettles(): () => Promise<void> {
  const before = timers();
  return async () => {
    const busy = () => process.getActiveResourcesInfo().some((resource) => resource.startsWith('TCP')) || timers() > before;
    while (busy()) await new Promise((resolve) => setTimeout(resolve, 20));
  };
}
