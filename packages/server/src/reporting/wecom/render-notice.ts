import { durationText, type Language } from '../duration-text.js';
import { escapeLogLine, escapeMarkdown, markdownUrl, mentionTag } from './markdown-escape.js';
import type { Notice } from './notice.js';
import { lastLinesWithin, MARKDOWN_MAX_BYTES, truncateUtf8, utf8Bytes } from './utf8.js';
import { noticeIcon, type Wording, wordingFor } from './wording.js';

/** Longest user strings shown, in characters, so the fixed part of a message stays well under 4 KB. */
const MAX = {
  name: 60,
  path: 120,
  ref: 100,
  title: 120,
  reason: 300,
  tag: 160,
  logLine: 200,
  testName: 120,
  testMessage: 160,
} as const;

/** A `markdown` message for one notice: ≤ 4096 bytes, the log tail cut from its start to fit. */
export function renderNotice(notice: Notice, language: Language, maxBytes = MARKDOWN_MAX_BYTES): string {
  const w = wordingFor(language);
  const head = [headerLine(notice, w), ...quoted(factLines(notice, w, language))];
  const foot: string[] = [];
  const link = markdownUrl(notice.stageUrl ?? notice.url);
  if (link !== undefined) {
    const label =
      notice.kind === 'waiting' ? w.approve : notice.stageUrl !== undefined ? w.openLog : w.openPipeline;
    foot.push(`[${label}](${link})`);
  }
  const mention = mentionTag(notice.mention);
  if (mention !== undefined) foot.push(mention);

  let body = head;
  // The first error is what usually explains a failure; the tail is where it ended.
  const first =
    notice.firstError === undefined
      ? []
      : [w.firstError, `> ${escapeLogLine(notice.firstError, MAX.logLine) || ' '}`];
  if (first.length > 0 && utf8Bytes([...head, ...first, ...foot].join('\n')) + 2 < maxBytes) {
    body = [...head, ...first];
  }
  const tail = (notice.logTail ?? []).map((line) => `> ${escapeLogLine(line, MAX.logLine) || ' '}`);
  if (tail.length > 0) {
    const fixed = utf8Bytes([...body, w.lastLogLines(tail.length), ...foot].join('\n')) + 2;
    const kept = lastLinesWithin(tail, maxBytes - fixed - 16);
    if (kept.length > 0) body = [...body, w.lastLogLines(kept.length), ...kept];
  }
  return truncateUtf8([...body, ...foot].join('\n'), maxBytes);
}

/** One line about a notice for a digest (several notices in one message), at most `maxBytes`. */
export function renderDigestLine(notice: Notice, language: Language, maxBytes = 700): string {
  const w = wordingFor(language);
  const target = `${escapeMarkdown(notice.project, 80)} → ${escapeMarkdown(notice.environment, 40)}`;
  const link = markdownUrl(notice.url);
  const subject = link === undefined ? target : `[${target}](${link})`;
  const details: string[] = [];
  switch (notice.kind) {
    case 'started':
      details.push(
        `${escapeMarkdown(notice.user.name, MAX.name)}${w.colon}${escapeMarkdown(notice.commitTitle, 60)}`,
      );
      break;
    case 'succeeded':
      if (notice.durationMs !== undefined) details.push(durationText(notice.durationMs, language));
      if (notice.imageTag !== undefined) details.push(escapeMarkdown(notice.imageTag, 60));
      break;
    case 'failed':
    case 'rolled_back':
      if (notice.stage !== undefined || notice.reason !== undefined) {
        const stage = notice.stage === undefined ? '' : `${notice.stage}${w.colon}`;
        details.push(`${stage}${escapeMarkdown(notice.reason ?? '', 100)}`);
      }
      if (notice.rolledBackTo !== undefined) {
        details.push(`${w.rolledBackTo} ${escapeMarkdown(notice.rolledBackTo, 80)}`);
      }
      break;
    case 'approved':
      if (notice.approvedBy !== undefined)
        details.push(w.approvedBy(escapeMarkdown(notice.approvedBy, MAX.name)));
      break;
    case 'canceled':
      if (notice.canceledBy !== undefined)
        details.push(w.canceledBy(escapeMarkdown(notice.canceledBy, MAX.name)));
      break;
    case 'waiting':
      break;
  }
  const mention =
    notice.kind === 'failed' || notice.kind === 'rolled_back' ? mentionTag(notice.mention) : undefined;
  const line = [`${noticeIcon(notice.kind)} ${titleOf(notice, w)} ${subject}`, ...details].join(' · ');
  if (mention === undefined) return truncateUtf8(line, maxBytes);
  return `${truncateUtf8(line, maxBytes - utf8Bytes(mention) - 1)} ${mention}`;
}

function headerLine(notice: Notice, w: Wording): string {
  const color =
    notice.kind === 'failed' || notice.kind === 'rolled_back'
      ? 'warning'
      : notice.kind === 'succeeded'
        ? 'info'
        : 'comment';
  const project = escapeMarkdown(notice.project, MAX.path);
  const env = escapeMarkdown(notice.environment, MAX.ref);
  return `**${noticeIcon(notice.kind)} ${titleOf(notice, w)}** ${project} → <font color="${color}">${env}</font>`;
}

/** A notice's title; a success says "deployed" only when something was. */
function titleOf(notice: Notice, w: Wording): string {
  return notice.kind === 'succeeded' && notice.notDeployed === true
    ? w.passedNotDeployed
    : w.title[notice.kind];
}

function factLines(notice: Notice, w: Wording, language: Language): string[] {
  const lines: string[] = [whoLine(notice, w)];
  lines.push(
    `${w.commit}${w.colon}${escapeMarkdown(notice.sha.slice(0, 8), 8)} ${escapeMarkdown(notice.commitTitle, MAX.title)}`,
  );
  const took =
    notice.durationMs === undefined
      ? undefined
      : `${w.took}${w.colon}${durationText(notice.durationMs, language)}`;
  switch (notice.kind) {
    case 'waiting': {
      const deadline = notice.deadline === undefined ? '—' : deadlineText(notice.deadline);
      lines.push(w.needsApproval(escapeMarkdown(notice.environment, MAX.ref), deadline));
      break;
    }
    case 'approved':
      if (notice.approvedBy !== undefined)
        lines.push(w.approvedBy(escapeMarkdown(notice.approvedBy, MAX.name)));
      break;
    case 'succeeded': {
      const parts = took === undefined ? [] : [took];
      if (notice.imageTag !== undefined)
        parts.push(`${w.image}${w.colon}${escapeMarkdown(notice.imageTag, MAX.tag)}`);
      if (parts.length > 0) lines.push(parts.join(' · '));
      break;
    }
    case 'failed':
    case 'rolled_back': {
      const parts = notice.stage === undefined ? [] : [`${w.failedStage}${w.colon}${notice.stage}`];
      if (took !== undefined) parts.push(took);
      if (parts.length > 0) lines.push(parts.join(' · '));
      if (notice.rolledBackTo !== undefined) {
        lines.push(`${w.rolledBackTo}${w.colon}${escapeMarkdown(notice.rolledBackTo, MAX.tag)}`);
      }
      if (notice.reason !== undefined)
        lines.push(`${w.reason}${w.colon}${escapeMarkdown(notice.reason, MAX.reason)}`);
      if (notice.tests !== undefined) lines.push(...testLines(notice.tests, w));
      break;
    }
    case 'canceled': {
      const by =
        notice.canceledBy === undefined
          ? undefined
          : w.canceledBy(escapeMarkdown(notice.canceledBy, MAX.name));
      const parts = [by, took].filter((p): p is string => p !== undefined);
      if (parts.length > 0) lines.push(parts.join(' · '));
      break;
    }
    case 'started':
      break;
  }
  return lines;
}

function whoLine(notice: Notice, w: Wording): string {
  const who = w.aka(
    escapeMarkdown(notice.user.name, MAX.name),
    escapeMarkdown(notice.user.username, MAX.name),
  );
  const to = escapeMarkdown(notice.ref, MAX.ref);
  const mr = notice.mergeRequest;
  if (mr !== undefined && notice.trigger === 'merge') {
    return w.merged(
      who,
      `!${mr.iid}`,
      escapeMarkdown(mr.title, MAX.title),
      escapeMarkdown(mr.sourceBranch, MAX.ref),
      to,
    );
  }
  if (notice.trigger === 'manual') return w.triggered(who, to);
  if (notice.trigger === 'retry') return w.retried(who, to);
  return w.pushed(who, to);
}

function quoted(lines: string[]): string[] {
  return lines.map((line) => `> ${line}`);
}

function deadlineText(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? '—' : `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The failed tests of a notice: counts, then one line per test (job, name, message), escaped. */
function testLines(tests: NonNullable<Notice['tests']>, w: Wording): string[] {
  const lines = [`${w.failedTests}${w.colon}${escapeMarkdown(tests.counts, 40)}`];
  for (const f of tests.failures) {
    const job = f.job === undefined ? '' : `[${escapeMarkdown(f.job, 20)}] `;
    lines.push(
      `✗ ${job}${escapeMarkdown(f.name, MAX.testName)}${w.colon}${escapeMarkdown(f.message, MAX.testMessage)}`,
    );
  }
  return lines;
}
