// The inspector's sidebar icon: a 3x3 grid of cells, a tensor at a glance. jp-icon3 lets the
// theme colour it.
import { LabIcon } from '@jupyterlab/ui-components';

const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <rect x="3" y="3" width="5" height="5" rx="1"/><rect x="10" y="3" width="5" height="5" rx="1"/>
    <rect x="17" y="3" width="4" height="5" rx="1"/><rect x="3" y="10" width="5" height="5" rx="1"/>
    <rect x="10" y="10" width="5" height="5" rx="1"/><rect x="17" y="10" width="4" height="5" rx="1"/>
    <rect x="3" y="17" width="5" height="4" rx="1"/><rect x="10" y="17" width="5" height="4" rx="1"/>
    <rect x="17" y="17" width="4" height="4" rx="1"/>
  </g>
</svg>`;

export const tensorIcon = new LabIcon({ name: 'tsdl:tensor', svgstr: svg });
