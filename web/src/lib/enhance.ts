// `use:enhance` callbacks shared by pages.
import { invalidateAll } from '$app/navigation';
import type { SubmitFunction } from '@sveltejs/kit';

interface StayOptions {
  /** Called when the form is submitted (e.g. to show a pending state). */
  onSubmit?: () => void;
  /** Called after the data was refreshed in place, with the redirect's hash ("#answer-…" or ""). */
  onDone?: (hash: string) => void;
  /** Called at the end, whatever the result. */
  onSettled?: () => void;
}

/**
 * For actions that answer with a redirect back to the same page (post/redirect/get without JS):
 * with JS, refresh the page's data in place instead of navigating, so scroll position and focus
 * stay where they were. Other results behave as usual.
 */
export function stayOnPage(options: StayOptions = {}): SubmitFunction {
  return () => {
    options.onSubmit?.();
    return async ({ result, update }) => {
      try {
        if (result.type === 'redirect') {
          const target = new URL(result.location, window.location.href);
          if (target.pathname === window.location.pathname) {
            await invalidateAll();
            options.onDone?.(target.hash);
            return;
          }
        }
        await update({ reset: result.type === 'success' || result.type === 'redirect' });
      } finally {
        options.onSettled?.();
      }
    };
  };
}
