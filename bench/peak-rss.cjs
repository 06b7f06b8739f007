// Preloaded with `node --require` into each measured process: on exit, writes its peak RSS and the
// largest heap V8 kept after a full collection (what the process holds, without the garbage that
// V8 lets pile up between collections), as two numbers of bytes.
const { writeFileSync } = require('node:fs');
const { constants, PerformanceObserver } = require('node:perf_hooks');

let keptHeap = 0;
new PerformanceObserver((list) => {
  if (list.getEntries().some((entry) => entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR))
    keptHeap = Math.max(keptHeap, process.memoryUsage().heapUsed);
}).observe({ entryTypes: ['gc'] });

process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) writeFileSync(process.env.BENCH_RSS_FILE, `${process.resourceUsage().maxRSS * 1024} ${keptHeap}`);
});
