#!/usr/bin/env node
// The `craft` command: loads the TypeScript sources through tsx (a runtime dependency).
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
