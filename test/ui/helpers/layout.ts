/**
 * jsdom does no layout: every element is 0x0, so a virtualizer would render no rows. This gives the
 * stream's scroll box a viewport and each row the collapsed row height, and makes scrollTo move
 * scrollTop, which is all the virtualizer reads.
 */
const VIEWPORT_HEIGHT = 400;
const ROW_PX = 20;

export function installLayout(): () => void {
  const proto = HTMLElement.prototype;
  const originals = {
    clientHeight: Object.getOwnPropertyDescriptor(Element.prototype, 'clientHeight'),
    clientWidth: Object.getOwnPropertyDescriptor(Element.prototype, 'clientWidth'),
    offsetHeight: Object.getOwnPropertyDescriptor(proto, 'offsetHeight'),
    scrollHeight: Object.getOwnPropertyDescriptor(Element.prototype, 'scrollHeight'),
    scrollTo: Object.getOwnPropertyDescriptor(Element.prototype, 'scrollTo'),
  };
  const isScroller = (element: Element) => element.classList.contains('stream__scroll');
  Object.defineProperty(Element.prototype, 'clientHeight', {
    configurable: true,
    get(this: Element) {
      return isScroller(this) ? VIEWPORT_HEIGHT : 0;
    },
  });
  Object.defineProperty(Element.prototype, 'clientWidth', {
    configurable: true,
    get(this: Element) {
      return isScroller(this) ? 800 : 0;
    },
  });
  Object.defineProperty(proto, 'offsetHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains('stream__item') ? ROW_PX : 0;
    },
  });
  Object.defineProperty(Element.prototype, 'scrollHeight', {
    configurable: true,
    get(this: Element) {
      const sizer = this.querySelector('.stream__sizer') as HTMLElement | null;
      return sizer ? Number.parseFloat(sizer.style.height) || 0 : 0;
    },
  });
  Object.defineProperty(Element.prototype, 'scrollTo', {
    configurable: true,
    writable: true,
    value(this: Element, options: ScrollToOptions | number, y?: number) {
      const top = typeof options === 'number' ? y : options.top;
      if (top !== undefined) this.scrollTop = top;
      this.dispatchEvent(new Event('scroll'));
    },
  });
  return () => {
    for (const [name, descriptor] of Object.entries(originals)) {
      const target = name === 'offsetHeight' ? proto : Element.prototype;
      if (descriptor) Object.defineProperty(target, name, descriptor);
      else delete (target as unknown as Record<string, unknown>)[name];
    }
  };
}
