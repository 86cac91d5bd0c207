export const PACKAGING_NODE: string;
export const STAGE_DIR: string;
export function packagingNodeProblem(version: string): string | null;
export function stagedManifest(manifest: Record<string, unknown>): Record<string, unknown>;
export function stageApp(projectDir: string, stageDir?: string): string;
export function builderConfig(projectDir: string): Record<string, unknown> & { electronVersion: string; directories: { output: string; buildResources?: string } };
export function buildsLinux(args: string[], platform?: NodeJS.Platform): boolean;
export function metadataProblems(manifest: Record<string, any>, config: Record<string, any>, args: string[], platform?: NodeJS.Platform): string[];
