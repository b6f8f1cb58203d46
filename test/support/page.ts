/** Reading and driving elements through their shadow roots, as a user sees them. */

/** Every text node under `el`, through shadow roots, with whitespace collapsed. */
export function shadowText(el: Element): string {
  const parts: string[] = [];
  const walk = (node: Node): void => {
    if (node instanceof Element && node.shadowRoot) walk(node.shadowRoot);
    if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent ?? '');
    node.childNodes.forEach(walk);
  };
  walk(el);
  return parts.join('').replace(/\s+/g, ' ');
}

/** Every element matching `selector` under `root`, through shadow roots. */
export function deepQueryAll<E extends Element = HTMLElement>(root: Element | ShadowRoot, selector: string): E[] {
  const found: E[] = [];
  const walk = (node: Element | ShadowRoot): void => {
    found.push(...(node.querySelectorAll(selector) as NodeListOf<E>));
    for (const el of node.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
  };
  walk(root instanceof Element && root.shadowRoot ? root.shadowRoot : root);
  return found;
}

export function deepQuery<E extends Element = HTMLElement>(root: Element | ShadowRoot, selector: string): E {
  const el = deepQueryAll<E>(root, selector)[0];
  if (!el) throw new Error(`nothing matches ${selector}`);
  return el;
}

/** The button whose text contains `text`, anywhere under `root`. */
export function button(root: Element | ShadowRoot, text: string): HTMLButtonElement {
  const found = deepQueryAll<HTMLButtonElement>(root, 'button').find((b) => b.textContent!.includes(text));
  if (!found) throw new Error(`no button "${text}"`);
  return found;
}

/** Sends a zip to a data step as a drop would. */
export function dropZip(root: Element, file: File): void {
  deepQuery(root, 'tl-dataset-drop').dispatchEvent(new CustomEvent('tl-dataset-file', {detail: {file}, bubbles: true, composed: true}));
}
