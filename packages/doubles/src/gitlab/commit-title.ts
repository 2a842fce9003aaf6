/**
 * The `title` GitLab puts next to a commit's `message` in webhook payloads (`Commit#title`):
 * the first line (split at CR or LF); when that line is 100 characters or longer it is cut to
 * at most 81 characters at the last space before the cut, with `...` appended.
 */
export function gitlabCommitTitle(message: string): string {
  if (message.trim().length === 0) return 'No commit message';
  const full = message.split(/[\r\n]/, 1)[0] ?? '';
  const chars = Array.from(full);
  if (chars.length < 100) return full;
  const omission = '...';
  const room = 81 - omission.length;
  let stop = room;
  for (let i = Math.min(room, chars.length - 1); i >= 0; i -= 1) {
    if (chars[i] === ' ') {
      stop = i;
      break;
    }
  }
  return chars.slice(0, stop).join('') + omission;
}
