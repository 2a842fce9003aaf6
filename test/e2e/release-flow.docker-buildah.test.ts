/**
 * The release flow's acceptance test with the docker executor building with buildah
 * (`build.builder: buildah`): the build runs in a container with the build pod's sandbox (root,
 * SETUID/SETGID/SETFCAP, no_new_privs, the shipped seccomp profile, no Docker socket), so the same
 * build code path as on kubernetes is checked on the real engine (see support/release-flow-suite.ts).
 */
import { releaseFlowSuite } from './support/release-flow-suite.js';

releaseFlowSuite('docker', ['Push Hook', 'Merge Request Hook'], { builder: 'buildah' });
