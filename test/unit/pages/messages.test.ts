/**
 * The pages' words live in src/pages/messages/, one module per page or capability: every key in
 * both languages and not empty (unless empty on purpose), with the same `{placeholders}`; no
 * key in two modules (composing them, one would silently override the other); every module in
 * the translator; and no page writing Chinese inline outside the messages.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MessageModule } from '../../../src/pages/messages/define.js';
import { translator, type LabelKey } from '../../../src/pages/i18n.js';

const PAGES = new URL('../../../src/pages/', import.meta.url).pathname;
const MESSAGES = join(PAGES, 'messages');

/** Keys whose text is empty in both languages on purpose (`replan_none`: no re-plan to report). */
const EMPTY_ON_PURPOSE = new Set(['replan_none']);

const HAN = /\p{Script=Han}/u;

interface Loaded {
  file: string;
  module: MessageModule<string>;
}

/** Each module file of src/pages/messages/ (all but the helper) and the one module it exports. */
async function loadModules(): Promise<Loaded[]> {
  const files = readdirSync(MESSAGES)
    .filter((f) => f.endsWith('.ts') && f !== 'define.ts')
    .sort();
  const loaded: Loaded[] = [];
  for (const file of files) {
    const exported = Object.values((await import(join(MESSAGES, file))) as Record<string, unknown>);
    const modules = exported.filter((v): v is MessageModule<string> => typeof v === 'object' && v !== null && 'zh' in v && 'en' in v);
    expect(modules, `${file} exports one messages module`).toHaveLength(1);
    loaded.push({ file, module: modules[0] as MessageModule<string> });
  }
  return loaded;
}

const modules = await loadModules();

const placeholders = (text: string): string[] => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string))].sort();

/** The text with its `//` line and block comments blanked (line numbers kept); `://` in a url is no comment. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, '')).replace(/(^|[^:])\/\/.*$/gm, '$1');
}

/** The page sources (templates, server and browser scripts) outside src/pages/messages/. */
function pageSources(dir = PAGES): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === MESSAGES ? [] : pageSources(path);
    return /\.(ts|js|eta)$/.test(entry.name) ? [path] : [];
  });
}

describe('page messages', () => {
  it('when the message modules are read, then there are some, each with its words', () => {
    expect(modules.length).toBeGreaterThan(5);
    for (const { file, module } of modules) expect(Object.keys(module.zh).length, file).toBeGreaterThan(0);
  });

  it('when a module is read, then every key is in both Chinese and English, a non-empty string unless empty on purpose', () => {
    for (const { file, module } of modules) {
      expect(Object.keys(module.en).sort(), file).toEqual(Object.keys(module.zh).sort());
      for (const key of Object.keys(module.zh)) {
        for (const text of [module.zh[key], module.en[key]]) {
          expect(typeof text, `${file} ${key}`).toBe('string');
          if (EMPTY_ON_PURPOSE.has(key)) expect(text, `${file} ${key} is empty on purpose`).toBe('');
          else expect(text, `${file} ${key}`).not.toBe('');
        }
      }
    }
  });

  it('when a key has placeholders, then Chinese and English have the same ones', () => {
    for (const { file, module } of modules) {
      for (const key of Object.keys(module.zh)) expect(placeholders(module.en[key] ?? ''), `${file} ${key}`).toEqual(placeholders(module.zh[key] ?? ''));
    }
  });

  it('when the modules are put together, then no key is defined in two of them', () => {
    const owner = new Map<string, string>();
    const twice: string[] = [];
    for (const { file, module } of modules) {
      for (const key of Object.keys(module.zh)) {
        const first = owner.get(key);
        if (first) twice.push(`${key}: ${first} and ${file}`);
        owner.set(key, file);
      }
    }
    expect(twice).toEqual([]);
  });

  it("when a page looks a key up, then it gets its module's words in the asked language; an unknown key reads as itself", () => {
    const zh = translator('zh');
    const en = translator('en');
    for (const { file, module } of modules) {
      for (const key of Object.keys(module.zh)) {
        expect(zh(key as LabelKey), `${file} ${key}`).toBe(module.zh[key]);
        expect(en(key as LabelKey), `${file} ${key}`).toBe(module.en[key]);
      }
    }
    expect(zh('noSuchKey' as LabelKey)).toBe('noSuchKey');
    expect(zh('filledOf', { filled: 3, needed: 4 })).toBe('已排 3 / 需 4');
    expect(en('filledOf', { filled: 3 })).toBe('3 of {needed} filled');
  });

  it('when the page sources outside the messages are read, then none writes a Han character outside a comment', () => {
    const sources = pageSources();
    expect(sources.length).toBeGreaterThan(20);
    const inline = sources.flatMap((path) =>
      withoutComments(readFileSync(path, 'utf8'))
        .split('\n')
        .flatMap((line, i) => (HAN.test(line) ? [`${relative(PAGES, path)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(inline).toEqual([]);
  });

  it('when a line holds Chinese in code and in comments, then only the code counts', () => {
    const code = ['const a = 1; // 注释', '/* 块注释', '   第二行 */ const b = 2;', "const url = 'http://x'; const c = '中文';"].join('\n');
    expect(
      withoutComments(code)
        .split('\n')
        .map((line) => HAN.test(line)),
    ).toEqual([false, false, false, true]);
  });
});
