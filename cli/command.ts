/**
 * What every `maskwright` subcommand is, and the project helper they share. The subcommands import this
 * file, and `commands.ts` (the list of them) imports the subcommands: no module imports one that imports it
 * back (tests/cli/import-cycles.test.ts).
 */
import { resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { Project } from '../services/project';

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface Command {
  name: string;
  usage: string;
  summary: string;
  help?: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(positionals: string[], values: Values): Promise<number>;
}

/** Opens the project for `fn` and closes it after; `writes` names what needs write access (refused read-only). */
export function withProject<T>(path: string, fn: (p: Project) => Promise<T> | T, writes?: string): Promise<T> {
  const project = Project.open(resolve(path));
  try {
    if (writes) project.requireWritable(writes);
  } catch (e) {
    project.close();
    throw e;
  }
  return Promise.resolve()
    .then(() => fn(project))
    .finally(() => project.close());
}
