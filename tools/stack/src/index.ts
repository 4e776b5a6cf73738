export { down, stackEnv, status, up } from './stack';
export { stackCli } from './cli';
// For @rideshare/testing and scripts: the app services and the demo seed.
export {
  appServices,
  serviceDatabase,
  startService,
  type AppServiceName,
  type RunningService,
} from './services';
export { adminAuthorization, places, seedDrivers, seedIfEmpty, seedPassengers } from './seed';
