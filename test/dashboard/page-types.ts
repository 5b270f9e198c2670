/**
 * The few DOM shapes that the test's in-page functions use: the test project compiles without
 * lib.dom, and functions sent to the page cannot import anything (only these types, erased).
 */
export interface PageElement {
  textContent: string | null;
  complete?: boolean;
  naturalWidth?: number;
  naturalHeight?: number;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
}

export interface PageGlobals {
  document: { querySelectorAll(selector: string): ArrayLike<PageElement>; querySelector(selector: string): PageElement | null };
}
