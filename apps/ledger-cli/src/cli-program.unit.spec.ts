import { buildProgram, invokedCommand } from './cli-program';

describe('the command an argument vector runs (only its module is loaded)', () => {
  const argv = (...args: string[]) => ['node', 'ledger-cli', ...args];

  it('is the first argument when it names a command', () => {
    expect(invokedCommand(argv('verify', '--keys', 'k.json'))).toBe('verify');
    expect(invokedCommand(argv('import', 'x.ndjson', '--json'))).toBe('import');
  });

  it('looks past --data-dir, in either form', () => {
    expect(invokedCommand(argv('--data-dir', '/var/lib/ledger', 'history', 'i', 'c'))).toBe('history');
    expect(invokedCommand(argv('--data-dir=/var/lib/ledger', 'status'))).toBe('status');
  });

  it('is none for help, other options first, an unknown command or nothing at all: then every command is built', () => {
    expect(invokedCommand(argv('--help'))).toBeUndefined();
    expect(invokedCommand(argv('--data-dir', 'd', '--help', 'verify'))).toBeUndefined();
    expect(invokedCommand(argv('verfy'))).toBeUndefined();
    expect(invokedCommand(argv('--data-dir', 'd'))).toBeUndefined();
    expect(invokedCommand(argv())).toBeUndefined();
  });

  it('builds only that command, or all twelve in help order', () => {
    expect(buildProgram(undefined, {}, 'verify').commands.map((c) => c.name())).toEqual(['verify']);
    expect(buildProgram(undefined, {}).commands.map((c) => c.name())).toEqual([
      'replay', 'versions', 'history', 'changes', 'verify', 'export', 'status', 'rebuild', 'import', 'tokens', 'backup', 'restore',
    ]);
  });
});
