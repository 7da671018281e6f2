/**
 * bin/cluster-stacks starts the commands that make no connection without
 * NODE_EXTRA_CA_CERTS, because Node.js 20 parses that file as it starts
 * (some 35–60 ms here), and names the file it left out in this variable.
 * test/offline-commands.test.ts shows that those commands cannot reach
 * code that connects; this is the check at run time: code that connects
 * calls assertMayConnect first, so a process started that way stops with a
 * message rather than failing TLS with a server whose CA it left out.
 */
export const LEFT_OUT_CA_ENV = 'CLUSTER_STACKS_LEFT_OUT_EXTRA_CA_CERTS';

export function assertMayConnect(url: URL | string, env: NodeJS.ProcessEnv = process.env): void {
  const file = env[LEFT_OUT_CA_ENV];
  if (file === undefined) return;
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    origin = 'a server';
  }
  throw new Error(`cannot connect to ${origin}: bin/cluster-stacks started this command without NODE_EXTRA_CA_CERTS (${file}), as it does for commands that make no connection; run it as \`node bin/cluster-stacks.cjs …\` and report this`);
}
