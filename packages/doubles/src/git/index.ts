export {
  type GitRequestRecord,
  type GitServer,
  type GitServerOptions,
  startGitServer,
  type TestRepo,
} from './git-server.js';
export {
  checkGitAuth,
  type GitAuthDecision,
  type GitHttpBackendOptions,
  gitHttpBackend,
} from './http-backend.js';
