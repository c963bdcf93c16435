import {
  BOOLEAN_FORMS,
  closestOption,
  ConfigError,
  envName,
  flagName,
  kebab,
  OPTIONS,
  parseBoolean,
  type MockOptions,
  type OptionName,
  type OptionSpec,
} from './config.js';

/**
 * The command line: flags and environment variables read into raw option strings, and the --help
 * text, both from the one options table in config.ts (which validates what they read).
 */

/**
 * Reads options from command-line flags and environment variables (flags win). Returns the raw
 * strings; `resolveConfig` validates them. Throws `ConfigError` for unknown flags.
 */
export function optionsFromCli(
  argv: string[],
  env: Record<string, string | undefined>,
): { options: MockOptions; origins: Partial<Record<OptionName, string>>; help: boolean; version: boolean } {
  const names = Object.keys(OPTIONS) as OptionName[];
  const byFlag = new Map(names.map((n) => [flagName(n), n]));
  const options: Record<string, string> = {};
  const origins: Partial<Record<OptionName, string>> = {};
  for (const name of names) {
    const value = env[envName(name)];
    if (value !== undefined && value !== '') {
      options[name] = value;
      origins[name] = `${envName(name)}`;
    }
  }
  let help = false;
  let version = false;
  // The switch just read without "=" (`--strict`, `--no-strict`): a bare word after it is a value
  // meant for it (`--strict false`), and the error should say so rather than "unknown option false".
  let lastSwitch: { flag: string; name: OptionName } | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const previousSwitch = lastSwitch;
    lastSwitch = undefined;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg === '--version' || arg === '-v') {
      version = true;
      continue;
    }
    if (!arg.startsWith('-')) {
      if (previousSwitch) throw new ConfigError(switchValueError(previousSwitch.flag, previousSwitch.name, arg));
      throw new ConfigError(`unexpected argument ${JSON.stringify(arg.slice(0, 60))}: options are --name VALUE or --name=VALUE (see --help)`);
    }
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const negated = flag.startsWith('--no-') ? byFlag.get(`--${flag.slice(5)}`) : undefined;
    const name = byFlag.get(flag) ?? negated;
    if (!name) {
      const near = closestOption(flag);
      throw new ConfigError(`unknown option ${flag} (${near ? `did you mean ${flagName(near)}? ` : ''}see --help)`);
    }
    const spec: OptionSpec<unknown> = OPTIONS[name];
    let value: string | undefined;
    if (negated) {
      if (!spec.switch) throw new ConfigError(`unknown option ${flag} (${flagName(name)} is not a switch: give it a value; see --help)`);
      if (eq !== -1) throw new ConfigError(switchValueError(flag, name, arg.slice(eq + 1)));
      value = 'false';
      lastSwitch = { flag, name };
    } else if (eq !== -1) value = arg.slice(eq + 1);
    else if (spec.switch) {
      value = 'true';
      lastSwitch = { flag, name };
    } else {
      value = argv[++i];
      if (value === undefined) throw new ConfigError(`invalid ${flag}: needs a value (${flag} ${spec.value ?? 'VALUE'})`);
    }
    options[name] = value;
    origins[name] = flag;
  }
  return { options: options as MockOptions, origins, help, version };
}

/** What to write instead of a value given to a switch the way a value flag takes one. */
function switchValueError(flag: string, name: OptionName, given: string): string {
  const on = flagName(name);
  const off = `--no-${kebab(name)}`;
  let meant: boolean | undefined;
  try {
    meant = parseBoolean(given);
  } catch {
    meant = undefined;
  }
  // After --no-strict, "true" could mean either; after --strict, the value is what was meant.
  const instead =
    flag !== on
      ? `use ${off} alone, or ${on}=VALUE`
      : meant === true
        ? `use ${on} or ${on}=${given}`
        : meant === false
          ? `use ${on}=${given} or ${off}`
          : `use ${on}, ${off} or ${on}=VALUE`;
  const forms = meant === undefined || flag !== on ? ` (VALUE: ${BOOLEAN_FORMS})` : '';
  return `${flag} takes no value (got ${JSON.stringify(given.slice(0, 60))}): ${instead}${forms}`;
}

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, line];
}

/**
 * The --help text. Its option rows say what the README's configuration table says, in the same
 * order (a test compares the two): flags, meaning, then the variable and the default.
 */
export function helpText(version: string): string {
  const column = 30;
  const indent = ' '.repeat(column + 3);
  const row = (flags: string, meaning: string, env?: string) => {
    const [first, ...rest] = wrap(meaning, 100 - indent.length);
    return [`  ${flags.padEnd(column)} ${first}`, ...rest.map((l) => `${indent}${l}`), ...(env ? [`${indent}${env}`] : [])].join('\n');
  };
  const rows = (Object.keys(OPTIONS) as OptionName[]).map((name) => {
    const spec: OptionSpec<unknown> = OPTIONS[name];
    const flags = spec.switch ? `${flagName(name)}, --no-${kebab(name)}` : `${flagName(name)} ${spec.value}`;
    return row(flags, spec.help, `env ${envName(name)}; default: ${spec.defaultText}`);
  });
  return [
    `openrouter-keys-mock ${version} — a stateful emulator of OpenRouter's API-key management API`,
    '',
    'Usage: openrouter-keys-mock [options]',
    '',
    'Every option but --help and --version is a flag and an environment variable: --foo-bar ↔',
    'MOCK_FOO_BAR (PORT and HOST unprefixed); flags win over the environment, which wins over defaults.',
    'A flag takes its value as --port 9000 or --port=9000. A switch stands alone to mean true;',
    '--no-strict means false, and --strict=false works too.',
    `Booleans, in --flag=value and in the environment, take ${BOOLEAN_FORMS}.`,
    '',
    ...rows,
    row('--help, -h', 'Print this list of options and exit'),
    row('--version, -v', 'Print the version and exit'),
    '',
    'An invalid value, an unknown flag or a stray argument stops start-up with one line naming the',
    'option (or the argument) and exit code 2.',
  ].join('\n');
}

/** The options table, for the README and tests. */
export function optionTable(): { name: OptionName; flag: string; env: string; default: string; help: string }[] {
  return (Object.keys(OPTIONS) as OptionName[]).map((name) => ({
    name,
    flag: flagName(name),
    env: envName(name),
    default: OPTIONS[name].defaultText,
    help: OPTIONS[name].help,
  }));
}
