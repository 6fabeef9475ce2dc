import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { isProjectionThreadData, serveProjectionThread } from '@ledger/read-models';

// `ledger-cli status | head` closes the pipe early; that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// The bundle is also the script of `import`'s projection thread, which loads only what it serves: the commands (and
// NestJS, the PostgreSQL driver and the rest they import) are required on the main thread alone.
if (!isMainThread && isProjectionThreadData(workerData)) {
  serveProjectionThread(workerData, parentPort!);
} else {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./cli-program') as typeof import('./cli-program')).runCli(process.argv).then((code) => {
    // exitCode rather than exit(): lets stdout/stderr drain when they are pipes.
    process.exitCode = code;
  });
}
