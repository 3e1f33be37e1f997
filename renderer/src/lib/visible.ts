import type { Attachment } from 'svelte/attachments';

/** Calls `onVisible` once, when the element first comes near the viewport (for lazy thumbnails). */
export function whenVisible(onVisible: () => void): Attachment<Element> {
  return (node) => {
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          observer.disconnect();
          onVisible();
        }
      },
      { rootMargin: '300px' },
    );
    observer.observe(node);
    return () => observer.disconnect();
  };
}
