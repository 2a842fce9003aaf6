import type { Language } from '../duration-text.js';
import type { NoticeKind } from './notice.js';

/**
 * The words of WeCom messages in each language. Every argument is already escaped; nothing here
 * adds user text itself.
 */
export interface Wording {
  title: Readonly<Record<NoticeKind, string>>;
  /** The title of a success that deployed nothing (the deploy stage off, a merge request check). */
  passedNotDeployed: string;
  merged(who: string, mr: string, mrTitle: string, from: string, to: string): string;
  pushed(who: string, to: string): string;
  triggered(who: string, to: string): string;
  retried(who: string, to: string): string;
  commit: string;
  took: string;
  image: string;
  failedStage: string;
  /** Failed tests (of all): the counts of the test reports. */
  failedTests: string;
  reason: string;
  rolledBackTo: string;
  needsApproval(env: string, deadline: string): string;
  approvedBy(who: string): string;
  canceledBy(who: string): string;
  lastLogLines(n: number): string;
  firstError: string;
  openPipeline: string;
  openLog: string;
  approve: string;
  digest(n: number): string;
  /** Between a label and its value. */
  colon: string;
  /** Between a name and the username after it. */
  aka(name: string, username: string): string;
}

const icon: Readonly<Record<NoticeKind, string>> = {
  started: '🚦',
  deploying: '🚀',
  approved: '▶️',
  waiting: '⏸️',
  succeeded: '✅',
  failed: '❌',
  rolled_back: '↩️',
  canceled: '⏹️',
};

export function noticeIcon(kind: NoticeKind): string {
  return icon[kind];
}

const zh: Wording = {
  title: {
    started: '开始',
    deploying: '开始部署',
    approved: '已批准，继续部署',
    waiting: '等待审批',
    succeeded: '部署成功',
    failed: '部署失败',
    rolled_back: '部署失败，已回滚',
    canceled: '已取消',
  },
  passedNotDeployed: '通过（未部署）',
  merged: (who, mr, mrTitle, from, to) => `${who} 合并了 ${mr} ${mrTitle}（${from} → ${to}）`,
  pushed: (who, to) => `${who} 推送到 ${to}`,
  triggered: (who, to) => `${who} 手动触发（${to}）`,
  retried: (who, to) => `${who} 重试（${to}）`,
  commit: '提交',
  took: '耗时',
  image: '镜像',
  failedStage: '失败阶段',
  failedTests: '失败的测试',
  reason: '原因',
  rolledBackTo: '已回滚到',
  needsApproval: (env, deadline) => `部署到 ${env} 需要审批，截止 ${deadline}`,
  approvedBy: (who) => `${who} 批准了部署`,
  canceledBy: (who) => `由 ${who} 取消`,
  lastLogLines: (n) => `日志最后 ${n} 行：`,
  firstError: '第一个错误：',
  openPipeline: '查看流水线',
  openLog: '查看日志',
  approve: '去审批',
  digest: (n) => `Ferry：${n} 条流水线动态`,
  colon: '：',
  aka: (name, username) => (name === username ? name : `${name}（${username}）`),
};

const en: Wording = {
  title: {
    started: 'Started',
    deploying: 'Deploying',
    approved: 'Approved, deploying',
    waiting: 'Waiting for approval',
    succeeded: 'Deployed',
    failed: 'Failed',
    rolled_back: 'Failed and rolled back',
    canceled: 'Canceled',
  },
  passedNotDeployed: 'Passed, not deployed',
  merged: (who, mr, mrTitle, from, to) => `${who} merged ${mr} ${mrTitle} (${from} → ${to})`,
  pushed: (who, to) => `${who} pushed to ${to}`,
  triggered: (who, to) => `Triggered by ${who} on ${to}`,
  retried: (who, to) => `Retried by ${who} on ${to}`,
  commit: 'Commit',
  took: 'Took',
  image: 'Image',
  failedStage: 'Failed stage',
  failedTests: 'Failed tests',
  reason: 'Reason',
  rolledBackTo: 'Rolled back to',
  needsApproval: (env, deadline) => `Deploying to ${env} needs approval by ${deadline}`,
  approvedBy: (who) => `Approved by ${who}`,
  canceledBy: (who) => `Canceled by ${who}`,
  lastLogLines: (n) => `Last ${n} log lines:`,
  firstError: 'First error:',
  openPipeline: 'Open pipeline',
  openLog: 'Open log',
  approve: 'Review and approve',
  digest: (n) => `Ferry: ${n} pipeline updates`,
  colon: ': ',
  aka: (name, username) => (name === username ? name : `${name} (${username})`),
};

export function wordingFor(language: Language): Wording {
  return language === 'zh' ? zh : en;
}
