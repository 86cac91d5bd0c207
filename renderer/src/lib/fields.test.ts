import { describe, expect, it } from 'vitest';
import { desktopProjectCreateSchema } from '../../../domain/app-api-contract.js';
import { AppError } from '../../../domain/errors.js';
import { checkField, errorField, lines, ruleOf, words } from './fields.js';

const shape = desktopProjectCreateSchema.shape;

describe('field checks with the domain rules', () => {
  it('puts the label before the rule', () => {
    expect(checkField(shape.name, 'Churn Model', 'Project name')).toBe(
      'Project name must contain lowercase letters, digits and "-" only, starting with a letter or digit',
    );
    expect(checkField(shape.name, 'churn-model', 'Project name')).toBeNull();
    expect(checkField(shape.repository_url, 'https://github.com/a/b', 'Repository URL')).toMatch(/^Repository URL must be an SSH URL starting with git@/);
  });

  it('names the list item at fault', () => {
    expect(checkField(shape.folders, ['/src', 'lib'], 'Folders', 'Folder')).toBe('Folder "lib" must be an absolute path in the repository, starting with "/"');
    expect(checkField(shape.folders, [], 'Folders', 'Folder')).toMatch(/^Folders needs at least one folder/);
    expect(checkField(shape.system_dependencies, ['libgomp1', 'Bad_Pkg'], 'System dependencies', 'Package')).toMatch(/^Package "Bad_Pkg" must be a Debian/);
  });

  it('splits lists the way users type them', () => {
    expect(lines(' /src \n\n/lib\r\n')).toEqual(['/src', '/lib']);
    expect(words('libgomp1, ffmpeg\ncurl  git')).toEqual(['libgomp1', 'ffmpeg', 'curl', 'git']);
  });

  it('reads the field and the rule out of a platform refusal', () => {
    const error = new AppError('conflict', 'name: is already taken', 'name');
    expect(errorField(error)).toBe('name');
    expect(ruleOf(error)).toBe('is already taken');
    const item = new AppError('validation', 'folders.1: must not contain ".."', 'folders.1');
    expect(errorField(item)).toBe('folders');
    expect(ruleOf(item)).toBe('must not contain ".."');
    expect(ruleOf(new AppError('internal', 'Something broke: try again'))).toBe('Something broke: try again');
  });
});
