export * from './rules.js';
export * from './errors.js';
export * from './user.js';
export * from './project.js';
export * from './deploy-key.js';
export * from './app-api-contract.js';
