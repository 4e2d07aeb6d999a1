export * from './ids';
export * from './wire';
export * from './topics';
export * from './api';
export * from './hub-config';
export * from './load-config';
export * from './api-routes';
export * from './agent';
