/**
 * The command line's commands and options, in one place: the parser reads them, and the tests
 * check the example workflows' command lines against them.
 */
export const COMMANDS = ['run', 'sequence', 'status', 'report', 'recount', 'merge'] as const;

export const OPTIONS = {
  config: { type: 'string' },
  restart: { type: 'boolean', default: false },
  'keep-going': { type: 'boolean', default: false },
  fix: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  html: { type: 'string' },
  quiet: { type: 'boolean', default: false },
  shard: { type: 'string' },
  into: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
} as const;
