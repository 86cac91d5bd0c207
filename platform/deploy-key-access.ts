// The key the platform holds, against the project's repository: "Test access" from Settings,
// and a replacement key tested before it is saved (so a rotation never leaves the project with
// a key its repository refuses). The SSH check is the desktop's own, from common/.
import { GivenHostKeys, testRepositoryAccess } from '../common/repo-access.js';
import type { RepoAccessResult } from '../domain/deploy-key.js';
import type { AuthenticatedUser } from './auth.js';
import type { PlatformContext } from './context.js';
import { checkDeployKey } from './deploy-key.js';
import { projectView, updateProject, type ProjectAccess, type ProjectRow } from './projects-store.js';
import { decryptSecret } from './secrets.js';

async function heldPrivateKey(ctx: PlatformContext, row: ProjectRow): Promise<string> {
  const { deploy_key_encrypted } = await ctx.db.selectFrom('projects').select('deploy_key_encrypted').where('id', '=', row.id).executeTakeFirstOrThrow();
  return decryptSecret(ctx.masterKey, deploy_key_encrypted, `project:${row.id}`);
}

export async function testHeldDeployKey(ctx: PlatformContext, row: ProjectRow, trusted: string[]): Promise<RepoAccessResult> {
  return testRepositoryAccess({ url: row.repository_url, privateKeyPem: await heldPrivateKey(ctx, row), knownHosts: new GivenHostKeys(trusted) });
}

/** Tests the new key first: saved (and in the history) only when it reads the repository. */
export async function replaceDeployKey(
  ctx: PlatformContext,
  user: AuthenticatedUser,
  row: ProjectRow,
  access: ProjectAccess,
  input: { deploy_key: string; trusted_host_fingerprints: string[] },
) {
  const key = checkDeployKey(input.deploy_key);
  const tested = await testRepositoryAccess({ url: row.repository_url, privateKeyPem: key.privatePem, knownHosts: new GivenHostKeys(input.trusted_host_fingerprints) });
  const oldFingerprint = row.deploy_key_fingerprint;
  if (!tested.ok) {
    return { replaced: false, old_fingerprint: oldFingerprint, access: tested, project: { ...(await projectView(ctx, row, access)), changed_fields: [], notice: '' } };
  }
  const project = await updateProject(ctx, user, row, access, { deploy_key: input.deploy_key });
  return { replaced: project.changed_fields.includes('deploy_key'), old_fingerprint: oldFingerprint, access: tested, project };
}
