// Small Svelte actions shared by pages.

/**
 * Makes horizontally scrolling code blocks inside server-rendered Markdown reachable by keyboard
 * (WCAG 2.1.1): a block that overflows gets tabindex="0" and a name, so it can be focused and
 * scrolled with the arrow keys. On narrow screens CSS wraps code instead, so nothing scrolls.
 */
export function scrollableCode(node: HTMLElement) {
  const update = () => {
    for (const pre of node.querySelectorAll('pre')) {
      if (pre.scrollWidth > pre.clientWidth + 1) {
        pre.tabIndex = 0;
        if (!pre.hasAttribute('aria-label')) pre.setAttribute('aria-label', 'Code (scrollable)');
      } else if (pre.getAttribute('aria-label') === 'Code (scrollable)') {
        pre.removeAttribute('tabindex');
        pre.removeAttribute('aria-label');
      }
    }
  };
  update();
  const observer = new ResizeObserver(update);
  observer.observe(node);
  return { destroy: () => observer.disconnect() };
}
