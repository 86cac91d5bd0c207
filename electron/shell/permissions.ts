// Which web permissions the renderer gets: notifications (a failed execution) and writing
// to the clipboard, for our renderer's page only. Everything else is refused, including
// reading the clipboard (the renderer then clears a secret it copied without looking).
import type { Session } from 'electron';
import { isRendererDocument } from './renderer-document.js';

export type Permission = Parameters<NonNullable<Parameters<Session['setPermissionRequestHandler']>[0]>>[1];

export const RENDERER_PERMISSIONS: ReadonlySet<Permission> = new Set<Permission>(['notifications', 'clipboard-sanitized-write']);

export function mayGrantPermission(permission: Permission, requestingUrl: string | undefined, rendererUrl: string): boolean {
  return RENDERER_PERMISSIONS.has(permission) && isRendererDocument(requestingUrl, rendererUrl);
}
