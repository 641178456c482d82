// Gives the unit tests a browser-like DOM (jsdom) before any module under test loads, since
// Lumino and CodeMirror look at `document` and `navigator` when imported.
import { JSDOM, VirtualConsole } from 'jsdom';

const console_ = new VirtualConsole();
console_.on('jsdomError', err => {
  // jsdom has no canvas; the views skip painting when getContext() gives null.
  if (!/getContext/.test(err.message)) {
    console.error(err);
  }
});
const dom = new JSDOM('<!doctype html><html><body></body></html>', {
  pretendToBeVisual: true,
  virtualConsole: console_
});

const names = [
  'window', 'document', 'navigator', 'Node', 'Element', 'HTMLElement', 'HTMLTableElement',
  'HTMLCanvasElement', 'HTMLButtonElement', 'DocumentFragment', 'Event', 'CustomEvent',
  'KeyboardEvent', 'MouseEvent', 'MutationObserver', 'getComputedStyle',
  'requestAnimationFrame', 'cancelAnimationFrame'
];
for (const name of names) {
  const value = (dom.window as unknown as Record<string, unknown>)[name];
  Object.defineProperty(globalThis, name, {
    value: typeof value === 'function' && /^[a-z]/.test(name) ? value.bind(dom.window) : value,
    configurable: true,
    writable: true
  });
}

// jsdom has no DragEvent; @lumino/dragdrop subclasses it when loaded.
if (!('DragEvent' in globalThis)) {
  const MouseEvent_ = dom.window.MouseEvent;
  Object.defineProperty(globalThis, 'DragEvent', {
    value: class DragEvent extends MouseEvent_ {},
    configurable: true,
    writable: true
  });
}
