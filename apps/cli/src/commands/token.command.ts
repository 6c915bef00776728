import { InvalidArgumentError } from 'commander';
import { EXPIRES_IN_PATTERN, ROLES, isRole, loadSigningSecret, mintToken, readConfig, signingSecretPath, subjectProblem, type AppConfig, type Role } from '@tthc/platform';
import { SCOPE_ENTRY } from '@tthc/domain';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import type { Writer } from '../io.js';
import type { CliCommand } from './command.js';

export interface TokenOptions {
  role: Role[];
  sub: string;
  expiresIn: string;
  /** The authority scope: 2-digit codes, or `*` (national staff). Required with the administrator role. */
  authority?: string[];
}

/**
 * Prints an HS256 token for the api, signed with the secret it verifies with: AUTH_JWT_SECRET, or for
 * the embedded default DATA_DIR/jwt-secret (made here if `npm start` has not made it yet). Needs no
 * database. With only AUTH_JWKS_URL configured, tokens come from the identity provider, not from here.
 */
export async function printToken(env: NodeJS.ProcessEnv, options: TokenOptions, out: Writer): Promise<string> {
  let config: AppConfig;
  try {
    config = readConfig(env);
  } catch (error) {
    throw new CliError((error as Error).message, EXIT.USAGE);
  }
  if (config.auth.disabled) throw new CliError('AUTH_DISABLED=true: the api takes no tokens, so there is none to mint');
  if (options.role.includes('administrator') && (options.authority ?? []).length === 0) {
    throw new CliError("an administrator's token needs --authority: the code of each province it acts for (--authority 74), or '*' for national staff", EXIT.USAGE);
  }
  const secret = await loadSigningSecret(config, { create: true });
  if (secret === undefined) {
    throw new CliError(
      config.auth.jwksUrl !== undefined
        ? "the api verifies tokens with AUTH_JWKS_URL only: get a token from that identity provider (or also set AUTH_JWT_SECRET)"
        : `no signing secret: set AUTH_JWT_SECRET to the api's (with DATABASE_URL there is no ${signingSecretPath(config.dataDir)} default)`,
    );
  }
  const token = await mintToken({
    secret: secret.secret,
    subject: options.sub,
    roles: options.role,
    expiresIn: options.expiresIn,
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    rolesClaim: config.auth.rolesClaim,
    authorities: options.authority,
    authoritiesClaim: config.auth.authoritiesClaim,
  });
  out.write(`${token}\n`);
  return token;
}

/** `--role a --role b` or `--role a,b`: each a role of the api. */
function collectRoles(value: string, previous: Role[] = []): Role[] {
  const roles = value.split(',').map((r) => r.trim()).filter((r) => r !== '');
  const unknown = roles.filter((r) => !isRole(r));
  if (unknown.length > 0 || roles.length === 0) {
    throw new InvalidArgumentError(`roles are ${ROLES.join(', ')}${unknown.length > 0 ? ` (not ${unknown.join(', ')})` : ''}`);
  }
  return [...new Set([...previous, ...(roles as Role[])])];
}

/** `--authority 74 --authority 77` or `--authority 74,77`; `*` alone is national. */
function collectAuthorities(value: string, previous: string[] = []): string[] {
  const entries = value.split(',').map((a) => a.trim()).filter((a) => a !== '');
  const bad = entries.filter((a) => !SCOPE_ENTRY.test(a));
  if (bad.length > 0 || entries.length === 0) {
    throw new InvalidArgumentError(`an authority is a 2-digit code such as 74, or '*' for every authority${bad.length > 0 ? ` (not ${bad.join(', ')})` : ''}`);
  }
  return [...new Set([...previous, ...entries])];
}

function subject(value: string): string {
  const problem = subjectProblem(value);
  if (problem) throw new InvalidArgumentError(`the subject ${problem}`);
  return value;
}

function expiresIn(value: string): string {
  if (!EXPIRES_IN_PATTERN.test(value)) throw new InvalidArgumentError('a number and a unit (s, m, h or d), such as 90m or 12h');
  return value;
}

export const tokenCommand: CliCommand = {
  register(program, runtime) {
    program
      .command('token')
      .description('print a signed bearer token for the api (HS256, with its signing secret)')
      .requiredOption('-r, --role <roles>', `${ROLES.join(', ')}; repeat it or separate roles with commas`, collectRoles)
      .requiredOption('-s, --sub <subject>', "who the token is for: recorded as the actor of that caller's events", subject)
      .option(
        '-a, --authority <codes>',
        "the authorities it acts for: a 2-digit code (74), repeated or comma separated, or '*' for national staff; required with administrator",
        collectAuthorities,
      )
      .option('-e, --expires-in <span>', 'lifetime, such as 90m, 12h or 7d', expiresIn, '12h')
      .addHelpText(
        'after',
        `
Signed with AUTH_JWT_SECRET, or without DATABASE_URL with DATA_DIR/jwt-secret (the embedded default's,
made by \`npm start\` or by this command). AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE, AUTH_ROLES_CLAIM and
AUTH_AUTHORITIES_CLAIM are honoured as the api reads them. An administrator acts only for the authorities
of --authority (and, since the 2025 merger, for the units dissolved into them).

Examples:
  TOKEN=$(npm run -s cli -- token --role administrator --authority 74 --sub nguyen.van.a)
  curl -H "Authorization: Bearer $TOKEN" localhost:3000/api/authorities/74/summary
  npm run -s cli -- token --role administrator --authority '*' --sub national.office
`,
      )
      .action(async (options: TokenOptions) => {
        await printToken(runtime.env ?? process.env, options, runtime.io.stdout);
      });
  },
};
