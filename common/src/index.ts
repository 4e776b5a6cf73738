export * from './config';
export * from './errors';
export * from './geo';
export * from './logger';
export * from './mongo';
export * from './shutdown';
export * from './validate';
