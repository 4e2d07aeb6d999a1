// Command-line flags of the agent and the simulator: node's parseArgs, strict, with --help,
// and a bad flag reported as an AgentOptionsError (exit code 2).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AgentOptionsError } from './errors';

export type FlagValues = Record<string, string | boolean | undefined>;

export function parseFlags(argv: string[], options: NonNullable<ParseArgsConfig['options']>): FlagValues {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }).values as FlagValues;
  } catch (err) {
    throw new AgentOptionsError((err as Error).message);
  }
}
