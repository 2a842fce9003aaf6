export {
  type GitRequestRecord,
  type GitServer,
  type GitServerOptions,
  startGitServer,
  type TestRepo,
} from './git-server.js';
