import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { isProjectionThreadData, serveProjectionThread } from '@ledger/read-models';
import { runCli } from './cli-program';

// `ledger-cli status | head` closes the pipe early; that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// The bundle is also the script of `import`'s projection thread.
if (!isMainThread && isProjectionThreadData(workerData)) {
  serveProjectionThread(workerData, parentPort!);
} else {
  runCli(process.argv).then((code) => {
    // exitCode rather than exit(): lets stdout/stderr drain when they are pipes.
    process.exitCode = code;
  });
}
