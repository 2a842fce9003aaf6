import { createHash } from 'node:crypto';
import {
  WECOM_EMPTY_CONTENT,
  WECOM_INVALID_IMAGE_SIZE,
  WECOM_INVALID_MESSAGE_TYPE,
  WECOM_INVALID_PARAMETER,
} from './wecom-errors.js';

/**
 * Shape checks for `POST /cgi-bin/webhook/send` bodies, per WeCom's group-bot documentation
 * ("群机器人配置说明", developer.work.weixin.qq.com/document/path/91770). Limits are in UTF-8
 * bytes: a Chinese character counts 3.
 */

export const TEXT_MAX_BYTES = 2048;
export const MARKDOWN_MAX_BYTES = 4096;
export const IMAGE_MAX_BYTES = 2 * 1024 * 1024;
export const NEWS_MAX_ARTICLES = 8;

export type WeComMsgType =
  | 'text'
  | 'markdown'
  | 'markdown_v2'
  | 'image'
  | 'news'
  | 'file'
  | 'voice'
  | 'template_card';

export const MSG_TYPES: readonly WeComMsgType[] = [
  'text',
  'markdown',
  'markdown_v2',
  'image',
  'news',
  'file',
  'voice',
  'template_card',
];

/** An accepted message, with what tests usually assert on pulled out. */
export interface WeComMessage {
  readonly msgtype: WeComMsgType;
  /** `text.content`, `markdown.content` or `markdown_v2.content`; undefined for other types. */
  readonly content: string | undefined;
  /** `text.mentioned_list` (user ids, or `@all`). */
  readonly mentionedList: string[];
  /** `text.mentioned_mobile_list`. */
  readonly mentionedMobileList: string[];
  /**
   * Who the group gets notified about: `text` mention lists, or `<@userid>` tags in `markdown`
   * content (`markdown_v2` has no mentions).
   */
  readonly mentions: string[];
  /** The body as sent. */
  readonly body: Record<string, unknown>;
}

export type Validation =
  | { ok: true; message: WeComMessage }
  | { ok: false; errcode: number; text: string; wrongJson?: boolean };

const fail = (errcode: number, text: string): Validation => ({ ok: false, errcode, text });
const invalid = (what: string) => fail(WECOM_INVALID_PARAMETER, `${what}. invalid Request Parameter`);

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stringList(value: unknown, field: string): string[] | Validation {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    return invalid(`${field} must be an array of string`);
  }
  return value as string[];
}

/** Parses and checks a raw request body. */
export function validateRawMessage(raw: string): Validation {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return {
      ok: false,
      errcode: WECOM_INVALID_MESSAGE_TYPE,
      text: 'Warning: wrong json format. invalid message type',
      wrongJson: true,
    };
  }
  return validateMessage(body);
}

export function validateMessage(body: unknown): Validation {
  if (!isRecord(body)) return fail(WECOM_INVALID_MESSAGE_TYPE, 'invalid message type');
  const msgtype = body['msgtype'];
  if (typeof msgtype !== 'string' || !(MSG_TYPES as readonly string[]).includes(msgtype)) {
    return fail(WECOM_INVALID_MESSAGE_TYPE, 'invalid message type');
  }
  const type = msgtype as WeComMsgType;
  const section = body[type];
  if (!isRecord(section)) {
    return type === 'text' || type === 'markdown' || type === 'markdown_v2'
      ? fail(WECOM_EMPTY_CONTENT, 'empty content')
      : invalid(`missing ${type}`);
  }
  const accept = (extra: Partial<WeComMessage> = {}): Validation => ({
    ok: true,
    message: {
      msgtype: type,
      content: undefined,
      mentionedList: [],
      mentionedMobileList: [],
      mentions: [],
      body,
      ...extra,
    },
  });

  switch (type) {
    case 'text':
    case 'markdown':
    case 'markdown_v2': {
      const content = section['content'];
      if (content !== undefined && typeof content !== 'string')
        return invalid(`${type}.content must be string`);
      if (content === undefined || content.length === 0) return fail(WECOM_EMPTY_CONTENT, 'empty content');
      const max = type === 'text' ? TEXT_MAX_BYTES : MARKDOWN_MAX_BYTES;
      if (Buffer.byteLength(content, 'utf8') > max)
        return invalid(`${type}.content exceed max length ${max}`);
      if (type !== 'text') {
        const mentions =
          type === 'markdown' ? [...content.matchAll(/<@([^>\s]+)>/g)].map((m) => m[1] as string) : [];
        return accept({ content, mentions });
      }
      const mentionedList = stringList(section['mentioned_list'], 'text.mentioned_list');
      if (!Array.isArray(mentionedList)) return mentionedList;
      const mentionedMobileList = stringList(section['mentioned_mobile_list'], 'text.mentioned_mobile_list');
      if (!Array.isArray(mentionedMobileList)) return mentionedMobileList;
      return accept({
        content,
        mentionedList,
        mentionedMobileList,
        mentions: [...mentionedList, ...mentionedMobileList],
      });
    }
    case 'image': {
      const base64 = section['base64'];
      const md5 = section['md5'];
      if (typeof base64 !== 'string' || base64 === '' || typeof md5 !== 'string' || md5 === '') {
        return invalid('image.base64 and image.md5 are required');
      }
      const data = Buffer.from(base64, 'base64');
      if (data.length > IMAGE_MAX_BYTES) return fail(WECOM_INVALID_IMAGE_SIZE, 'invalid image size');
      if (createHash('md5').update(data).digest('hex') !== md5.toLowerCase()) {
        return invalid('image.md5 does not match image.base64');
      }
      return accept();
    }
    case 'news': {
      const articles = section['articles'];
      if (!Array.isArray(articles) || articles.length === 0 || articles.length > NEWS_MAX_ARTICLES) {
        return invalid(`news.articles must hold 1 to ${NEWS_MAX_ARTICLES} articles`);
      }
      for (const article of articles) {
        if (!isRecord(article) || typeof article['title'] !== 'string' || article['title'] === '') {
          return invalid('news.articles[].title is required');
        }
        if (typeof article['url'] !== 'string' || article['url'] === '')
          return invalid('news.articles[].url is required');
      }
      return accept();
    }
    case 'file':
    case 'voice': {
      const mediaId = section['media_id'];
      if (typeof mediaId !== 'string' || mediaId === '') return invalid(`${type}.media_id is required`);
      return accept();
    }
    case 'template_card': {
      const cardType = section['card_type'];
      if (cardType !== 'text_notice' && cardType !== 'news_notice') {
        return invalid('template_card.card_type must be text_notice or news_notice');
      }
      return accept();
    }
  }
}
