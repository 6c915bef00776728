export * from './config.js';
export * from './embedded-database.js';
