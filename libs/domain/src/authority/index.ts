export * from './authority.events.js';
export * from './authority.commands.js';
export * from './authority.state.js';
export * from './authority.decide.js';
export * from './lineage.js';
export * from './national-facts.decide.js';
