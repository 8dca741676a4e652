import { z } from 'zod';

/** C0 control characters (U+0000–U+001F) other than tab and newline, and DEL (U+007F). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F]/;

/**
 * Characters that show nothing by themselves: format characters `Cf` (zero-width spaces and joiners,
 * bidi controls, BOM), the other default-ignorable code points (Hangul fillers, variation selectors,
 * tags; Unicode §5.21) and the blank Braille pattern U+2800.
 */
const INVISIBLE = String.raw`\p{Cf}\p{Default_Ignorable_Code_Point}\u2800`;
const SHOWS_NOTHING = new RegExp(String.raw`^[\s\p{Z}${INVISIBLE}]*$`, 'u');
const HAS_INVISIBLE = new RegExp(String.raw`[${INVISIBLE}\p{Zl}\p{Zp}]`, 'u');

/**
 * Whether `text` holds a character that shows nothing by itself (above), or a line or paragraph
 * separator: where a name must read as it is written (a client's name on the consent page), such a
 * character could hide, pad or reorder the text around it.
 */
export function hasInvisible(text: string): boolean {
  return HAS_INVISIBLE.test(text);
}

const HIDDEN = new RegExp(String.raw`[\p{Cc}${INVISIBLE}\p{Zl}\p{Zp}]`, 'gu');

/**
 * `text` without what would not show as itself where it is echoed (a `login_hint` on the sign-in
 * page): control characters (C0, DEL, C1), the invisible characters above (bidi overrides among them,
 * which reorder the text around them) and line or paragraph separators; lone surrogates become U+FFFD.
 */
export function withoutHidden(text: string): string {
  return text.toWellFormed().replace(HIDDEN, '');
}

/**
 * Whether `text` shows nothing once rendered: only whitespace, separators, format and default-ignorable
 * characters (zero-width, bidi controls, Hangul fillers, variation selectors) or the blank Braille
 * pattern U+2800; an empty text too. Inside text they are fine (an emoji family is joined by U+200D,
 * Arabic and Hebrew use bidi marks): only a text made of nothing else is empty to its reader.
 */
export function showsNothing(text: string): boolean {
  return SHOWS_NOTHING.test(text);
}

/** Length in Unicode code points (what a person counts as characters; an emoji is one, not two UTF-16 units). */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Why `text` cannot be stored, or undefined when it can (README "Text in the store"). */
export function textProblem(text: string): string | undefined {
  if (!text.isWellFormed()) return 'must be well-formed Unicode (no lone surrogate such as \\ud800)';
  if (FORBIDDEN_CONTROL.test(text)) return 'must not contain control characters (only newline and tab are allowed)';
  return undefined;
}

/** The zod check behind `storedText`, for string schemas of another kind (URLs): adds `textProblem`'s issue. */
export function storableTextCheck(ctx: z.core.ParsePayload<string>): void {
  const problem = textProblem(ctx.value);
  if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
}

/** A stored link (now-playing `url`): a URL of `protocol` (default any), at most `max` characters, storable text as `storedText`. */
export function storedUrl({ protocol, max = 2000 }: { protocol?: RegExp; max?: number } = {}) {
  return z
    .url(protocol ? { protocol } : {})
    .max(max)
    .check(storableTextCheck);
}

/** Most characters (Unicode code points) a message's text may have: the API, the web compose box. */
export const MESSAGE_MAX_CHARS = 2000;

/**
 * The key a person's username is known by: without the spaces around it, in lower case. Usernames are
 * unique by it (`ALICE` and ` alice` are alice's): the store's index, the start-up check, the web
 * login and its throttle all use it.
 */
export function usernameKey(username: string): string {
  return username.trim().toLowerCase();
}

/**
 * The one schema for text that enters the store (message text, now-playing fields, names, titles),
 * at the edges and in the store's own schema: well-formed Unicode (`String.prototype.isWellFormed`),
 * no C0 control characters except `\n` and `\t`. Limits count Unicode code points, as JSON Schema's
 * `minLength`/`maxLength` do (README "Text in the store"). With `trim` and `min` ≥ 1 (input at the
 * edges), a text of only invisible characters is refused too.
 */
export function storedText(limits: { min?: number; max?: number; trim?: boolean } = {}) {
  const { min, max, trim = false } = limits;
  let schema = z.string();
  if (trim) schema = schema.trim();
  schema = schema.check((ctx) => {
    storableTextCheck(ctx);
    const length = min !== undefined || max !== undefined ? codePointLength(ctx.value) : 0;
    // Input that is trimmed must also show something: "\u200b" is as empty as "" once rendered.
    if (trim && min !== undefined && min >= 1 && length >= min && showsNothing(ctx.value)) {
      ctx.issues.push({
        code: 'custom',
        message: 'must contain a visible character (not only spaces, zero-width or bidi characters)',
        input: ctx.value,
      });
    }
    if (min !== undefined && length < min) {
      ctx.issues.push({
        code: 'too_small',
        origin: 'string',
        minimum: min,
        inclusive: true,
        message: min === 1 ? 'must not be empty' : `must be at least ${min} characters`,
        input: ctx.value,
      });
    }
    if (max !== undefined && length > max) {
      ctx.issues.push({
        code: 'too_big',
        origin: 'string',
        maximum: max,
        inclusive: true,
        message: `must be at most ${max} characters (Unicode code points)`,
        input: ctx.value,
      });
    }
  });
  return schema.meta({
    ...(min === undefined ? {} : { minLength: min }),
    ...(max === undefined ? {} : { maxLength: max }),
  });
}
