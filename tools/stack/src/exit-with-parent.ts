/**
 * Preloaded (`node --import`) into the processes the stack starts as children: the services
 * (services.ts) and the `npm start` supervisor under tools/run.mjs. When the parent that started one
 * is gone (killed with SIGKILL, crashed, its terminal closed), the child sends itself SIGTERM, its
 * usual clean shutdown, instead of running on orphaned. Linux's PR_SET_PDEATHSIG would do this, but
 * Node does not expose it.
 *
 * The parent names itself in RIDESHARE_PARENT_PID; without it nothing is watched.
 */
const POLL_MS = 500;

const parent = Number(process.env.RIDESHARE_PARENT_PID);
// Not passed on: this process's own children are watched against this process, or not at all.
delete process.env.RIDESHARE_PARENT_PID;

if (Number.isInteger(parent) && parent > 0) {
  const timer = setInterval(() => {
    // An orphan is adopted by init (or a subreaper): its parent PID changes.
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
  }, POLL_MS);
  timer.unref();
}

export {}; // a module, not a global script
