import { describe, expect, it } from 'vitest';
import { projectCreateSchema } from './project.js';
import { parseOrThrow, AppError } from './errors.js';
import { deployKeySettingsUrl, parseRepositoryUrl } from './rules.js';
import { describeWrongKeyText } from './deploy-key.js';

const valid = {
  name: 'churn-model',
  python_version: '3.12',
  repository_url: 'git@github.com:acme/churn.git',
  deploy_key: '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n',
};

function fieldError(input: unknown): AppError {
  try {
    parseOrThrow(projectCreateSchema, input);
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a validation error');
}

describe('project creation rules', () => {
  it('accepts the documented fields and fills the defaults', () => {
    const project = parseOrThrow(projectCreateSchema, valid);
    expect(project.folders).toEqual(['/']);
    expect(project.default_branch).toBe('');
    expect(project.system_dependencies).toEqual([]);
  });

  it.each([
    ['Churn', 'name'],
    ['churn model', 'name'],
    ['-churn', 'name'],
  ])('refuses the project name %j naming the field and the rule', (name, field) => {
    const error = fieldError({ ...valid, name });
    expect(error.field).toBe(field);
    expect(error.message).toMatch(/^name: must contain lowercase letters, digits and "-"/);
  });

  it('refuses an https repository URL with the git@ rule', () => {
    const error = fieldError({ ...valid, repository_url: 'https://github.com/acme/churn.git' });
    expect(error.field).toBe('repository_url');
    expect(error.message).toContain('must be an SSH URL starting with git@');
  });

  it('refuses an unsupported Python version listing the supported ones', () => {
    const error = fieldError({ ...valid, python_version: '2.7' });
    expect(error.message).toBe('python_version: must be one of 3.9, 3.10, 3.11, 3.12, 3.13');
  });

  it('refuses a missing deploy key', () => {
    const { deploy_key: _omit, ...withoutKey } = valid;
    expect(fieldError(withoutKey).field).toBe('deploy_key');
  });

  it('refuses system dependencies that are not package names', () => {
    const error = fieldError({ ...valid, system_dependencies: ['libpq-dev', 'rm -rf /'] });
    expect(error.field).toBe('system_dependencies.1');
  });
});

describe('repository addresses', () => {
  it('reads both SSH forms, with a port for ssh://', () => {
    expect(parseRepositoryUrl('git@github.com:acme/churn.git')).toEqual({ host: 'github.com', port: 22, path: 'acme/churn.git' });
    expect(parseRepositoryUrl('ssh://git@127.0.0.1:2222/srv/git/repo.git')).toEqual({ host: '127.0.0.1', port: 2222, path: 'srv/git/repo.git' });
  });

  it('links to the deploy-key page of GitHub and GitLab only', () => {
    expect(deployKeySettingsUrl('git@github.com:acme/churn.git')).toBe('https://github.com/acme/churn/settings/keys');
    expect(deployKeySettingsUrl('git@gitlab.com:acme/sub/churn.git')).toContain('https://gitlab.com/acme/sub/churn/-/settings/repository');
    expect(deployKeySettingsUrl('git@example.org:acme/churn.git')).toBeNull();
  });
});

describe('pasted key text', () => {
  it('says a public key is not a private key', () => {
    expect(describeWrongKeyText('ssh-rsa AAAAB3Nza me@host')).toMatch(/public key/);
  });
  it('tells how to export a PuTTY key', () => {
    expect(describeWrongKeyText('PuTTY-User-Key-File-3: ssh-rsa\n')).toMatch(/Export OpenSSH key/);
  });
  it('accepts a PEM block', () => {
    expect(describeWrongKeyText(valid.deploy_key)).toBeNull();
  });
});
