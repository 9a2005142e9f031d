export * from './alert.js';
export * from './api-error.js';
export * from './capture.js';
export * from './deploy.js';
export * from './pin.js';
export * from './search.js';
export * from './verdict.js';
