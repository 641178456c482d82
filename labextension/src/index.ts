// @tsdl/labextension: one plugin per concern. The models plugin owns the comms; the others are
// views of it or MIME renderers. See README.md for what the kernel must send.

import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { hintsPlugin } from './hints/plugin';
import { inspectorPlugin, modelsPlugin } from './inspector/plugin';
import { shapeErrorRendererPlugin, tensorRendererPlugin } from './render/plugin';

export * from './tokens';

const plugins: JupyterFrontEndPlugin<any>[] = [
  modelsPlugin,
  tensorRendererPlugin,
  shapeErrorRendererPlugin,
  inspectorPlugin,
  hintsPlugin
];

export default plugins;
