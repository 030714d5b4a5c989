#!/usr/bin/env node
import { HELP, parseClientArgs, parseDemoArgs, parseServerArgs } from './args.js';
import { USAGE } from './usage.js';
import { UsageError } from './usage-error.js';

/** Runs one command line; resolves to the exit status. */
async function main(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      // Commands load the library only when they run, so help and usage errors answer at once.
      // Awaited here: a command that finds a file it cannot use throws a UsageError too.
      case 'server':
        return await runOrHelp(parseServerArgs(args), async (config) => (await import('./server-command.js')).runServer(config));
      case 'client':
        return await runOrHelp(parseClientArgs(args), async (config) => (await import('./client-command.js')).runClient(config));
      case 'demo':
        return await runOrHelp(parseDemoArgs(args), async (config) => (await import('./demo-command.js')).runDemo(config));
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return 0;
      case undefined:
        process.stderr.write(USAGE);
        return 2;
      default:
        process.stderr.write(`rx-dtls: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`rx-dtls ${command}: ${err.message} (see rx-dtls --help)\n`);
    return 2;
  }
}

function runOrHelp<C>(config: C | typeof HELP, run: (config: C) => Promise<number>): Promise<number> | number {
  if (config !== HELP) return run(config);
  process.stdout.write(USAGE);
  return 0;
}

const status = await main(process.argv.slice(2));
process.exitCode = status;
// The process ends by itself once its sockets are closed; should a failure leave
// one open, it still ends, with its status.
setTimeout(() => process.exit(status), 2000).unref();
