// Preloaded (NODE_OPTIONS=--require) into a process the benchmark cannot watch from outside because it exits when done
// (ledger-cli): writes the process's peak RSS (getrusage, every thread) to stderr as it exits.
process.on('exit', () => {
  process.stderr.write(`\nbench-peak-rss ${process.resourceUsage().maxRSS * 1024}\n`);
});
