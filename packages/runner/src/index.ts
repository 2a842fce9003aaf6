/** The program inside each runner pod/container/process (filled in by issue 4). */
export const runnerVersion = '0.1.0';
