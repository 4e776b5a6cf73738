export { down, stackEnv, status, up } from './stack';
export { stackCli } from './cli';
