// The package version, as receivers see it in `user-agent: hookrelay/<version>`.
import packageJson from '../package.json';

export const VERSION: string = packageJson.version;
export const USER_AGENT = `hookrelay/${VERSION}`;
