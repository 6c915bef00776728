import './pg-types.js';
export * from './config.js';
export * from './auth.js';
export * from './embedded-database.js';
export * from './database.module.js';
export * from './database-errors.js';
export * from './decimal-integer.js';
export * from './database-bounds.js';
export * from './versioned-migrations.js';
