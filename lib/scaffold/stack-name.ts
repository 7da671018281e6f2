import { KubernetesVersion } from '../../constructs/kubernetes-version.ts';
import { clusterClassName, templateName } from '../../constructs/names.ts';
import { StackVersion } from '../../constructs/stack-version.ts';

/**
 * A problem with what the user asked for (a bad name, a stack that exists):
 * reported as one line, exit code 2, and nothing is written.
 */
export class ScaffoldInputError extends Error {}

/** `<provider>/<stack>` as given on the command line, checked and with the names derived from it. */
export interface StackName {
  readonly provider: string;
  readonly stack: string;
  /** `<provider>/<stack>`. */
  readonly path: string;
  /** The exported definition, e.g. `acmeScs`. */
  readonly identifier: string;
  /** The versions row interface, e.g. `AcmeScsVersions`. */
  readonly versionsType: string;
}

const NAME_PART = /^[a-z][a-z0-9]*$/;

/**
 * The longest template name a release of the stack can produce: a
 * development build's version and the `default-worker` role. Checked with
 * the same functions synthesis uses, so the limit follows names.ts.
 */
const LONGEST_VERSION = StackVersion.prerelease(0, 'sha', 'abcdef0');
const LONGEST_ROLE = 'default-worker';

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function checkPart(value: string, what: 'provider' | 'stack', given: string): void {
  if (value.length === 0) throw new ScaffoldInputError(`'${given}': the ${what} name is empty; expected <provider>/<stack>, e.g. acme/scs`);
  if (!NAME_PART.test(value)) {
    const why = value.includes('-') ? " ('-' is not allowed: the Cluster Stack Operator splits release names on it)" : '';
    throw new ScaffoldInputError(`'${given}': ${what} name '${value}' is not valid${why}; expected lower-case letters and digits, starting with a letter`);
  }
}

/** Parses and checks `<provider>/<stack>`; throws a one-line ScaffoldInputError. */
export function parseStackName(given: string): StackName {
  const parts = given.split('/');
  if (parts.length !== 2) throw new ScaffoldInputError(`'${given}' is not <provider>/<stack>; expected e.g. acme/scs`);
  const [provider, stack] = parts;
  checkPart(provider, 'provider', given);
  checkPart(stack, 'stack', given);
  // Two-digit minors are as long as 1.34; the longest release suffix decides.
  const id = { provider, stack, kubernetes: KubernetesVersion.parse('1.34.0') };
  try {
    templateName(clusterClassName(id, LONGEST_VERSION), LONGEST_ROLE);
  } catch {
    const example = `${provider}-${stack}-1-34-${LONGEST_VERSION.toTag()}-${LONGEST_ROLE}`;
    throw new ScaffoldInputError(`'${given}' is too long: template names such as ${example} (${example.length} characters) must stay within 63; shorten the provider or stack name`);
  }
  return {
    provider,
    stack,
    path: `${provider}/${stack}`,
    identifier: `${provider}${capitalize(stack)}`,
    versionsType: `${capitalize(provider)}${capitalize(stack)}Versions`,
  };
}
