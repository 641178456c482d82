// The two MIME renderer plugins. They add their factories to the app's rendermime registry at
// start-up, before any notebook clones it, so every notebook output area knows both types. The
// shape-error renderer gets the notebook tracker through its Apply handler.

import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { makeApplyHandler } from './apply';
import { shapeErrorRendererFactory } from './shapeError';
import { tensorRendererFactory } from './tensor';

// Below text/html and text/plain, so these win over the fallbacks in the same bundle.
const RANK = 10;

export const tensorRendererPlugin: JupyterFrontEndPlugin<void> = {
  id: '@tsdl/labextension:tensor-renderer',
  description: 'Renders tsdl tensors: shape, dtype and device chips over the values.',
  autoStart: true,
  requires: [IRenderMimeRegistry],
  activate: (_app: JupyterFrontEnd, rendermime: IRenderMimeRegistry) => {
    rendermime.addFactory(tensorRendererFactory, RANK);
  }
};

export const shapeErrorRendererPlugin: JupyterFrontEndPlugin<void> = {
  id: '@tsdl/labextension:shape-error-renderer',
  description: 'Renders tsdl shape errors with aligned dims and fixes that can be applied.',
  autoStart: true,
  requires: [IRenderMimeRegistry, INotebookTracker],
  activate: (_app: JupyterFrontEnd, rendermime: IRenderMimeRegistry, tracker: INotebookTracker) => {
    rendermime.addFactory(shapeErrorRendererFactory(makeApplyHandler(tracker)), RANK);
  }
};
