export { startHub, type Hub, type StartHubOptions } from './hub';
