export { down, stackEnv, status, up } from './stack';
// For the fault suite: crash or stop one infrastructure service and start it again.
export { restartStackService, type RestartOptions, type Restarted, type StackServiceName } from './restart';
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
// For deployment tests (compose, image, Kubernetes): what each service's configuration reads.
export { checkServiceConfig, deploymentRequired, type ConfigCheck } from './config-check';
// Where the local stack's MailDev shows what the alerter sent (web UI; REST API under /api).
export { maildevWebUrl } from './maildev';
// For @rideshare/testing's browser harness: Debian packages are installed one way (as root, queued).
export { aptInstall } from './proc';
// The web client's build (cached by its sources' hash), for npm start and the browser tests.
export { ensureWebBuild, webDist } from './web-build';
