/**
 * The one shape of a messages module: the Chinese wording is the source and its keys are the
 * module's keys; the English must have exactly the same keys (one missing or one extra fails
 * the typecheck), and is what a lookup falls back to (../i18n.ts).
 */
export type Messages<K extends string> = { readonly [P in K]: string };

export interface MessageModule<K extends string> {
  readonly zh: Messages<K>;
  readonly en: Messages<K>;
}

/** Pass both as object literals: the typecheck then refuses an English key the Chinese lacks. */
export function defineMessages<K extends string>(zh: Messages<K>, en: Messages<NoInfer<K>>): MessageModule<K> {
  return { zh, en };
}
