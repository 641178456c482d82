// The renderer of `application/vnd.tsdl.shape-error+json`: the failing line with the call
// underlined, the operands as aligned rows of dimension boxes, the rule in the user's own
// names, and each suggestion with its result shape and an Apply button. Applying is done by
// whoever created the factory (the plugin knows the notebook); the view only asks.

import { Widget } from '@lumino/widgets';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { IShapeErrorData, SHAPE_ERROR_MIME } from '../tokens';
import { fillCode, fillRule, findCallSpan, ISpan, roleNames } from './callSpan';
import { dimsTable } from './dims';
import { formatShape } from './values';

/** What Apply asks for: in the cell holding `node`, replace `span` of line `line` by `code`. */
export interface IApplyRequest {
  node: HTMLElement;
  line: number;
  source: string;
  span: ISpan;
  code: string;
}

/** Does the rewrite; resolves to a message for the user (what happened, or why not). */
export type ApplyHandler = (request: IApplyRequest) => Promise<string>;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

/** The source line with the failing call wrapped in an underlined span. */
function sourceLine(detail: IShapeErrorData): { node: HTMLElement; span: ISpan | null } {
  const loc = detail.location!;
  const span = findCallSpan(loc.source, detail.op, loc.column);
  // A div, not a pre: output areas give every pre zero padding and overflow clipping, which
  // would cut the underline off.
  const pre = el('div', 'tsdl-se-source');
  pre.append(el('span', 'tsdl-se-lineno', `line ${loc.line}`), ' ');
  const code = el('code', '');
  if (span) {
    const call = el('span', 'tsdl-se-call', loc.source.slice(span.start, span.end));
    call.title = 'the call that failed';
    code.append(loc.source.slice(0, span.start), call, loc.source.slice(span.end));
  } else {
    code.textContent = loc.source;
  }
  pre.append(code);
  return { node: pre, span };
}

function ruleParagraph(detail: IShapeErrorData, names: Record<string, string>): HTMLElement {
  const p = el('p', 'tsdl-se-rule');
  for (const part of fillRule(detail.rule, names)) {
    p.append(part.code ? el('code', '', part.text) : part.text);
  }
  return p;
}

function suggestionList(
  detail: IShapeErrorData,
  names: Record<string, string>,
  span: ISpan | null,
  root: HTMLElement,
  apply: ApplyHandler | null
): HTMLElement {
  const box = el('div', 'tsdl-se-suggestions');
  box.append(el('div', 'tsdl-se-heading', detail.suggestions.length > 1 ? 'Fixes' : 'Fix'));
  const list = el('ul', 'tsdl-se-list');
  for (const s of detail.suggestions) {
    const code = fillCode(s.code, names);
    const item = el('li', 'tsdl-se-suggestion');
    const result = el('span', 'tsdl-chip tsdl-chip-shape', formatShape(s.resultShape));
    result.setAttribute('aria-label', `result shape ${formatShape(s.resultShape)}`);
    const button = el('button', 'tsdl-button tsdl-apply', 'Apply');
    button.type = 'button';
    button.setAttribute('aria-label', `Apply: replace the call with ${code}`);
    const status = el('span', 'tsdl-se-status');
    status.setAttribute('role', 'status');
    const loc = detail.location;
    if (!apply || !span || !loc) {
      button.disabled = true;
      button.title = 'The failing call could not be located in the cell.';
    }
    button.addEventListener('click', async () => {
      if (!apply || !span || !loc) {
        return;
      }
      button.disabled = true;
      const request = { node: root, line: loc.line, source: loc.source, span, code };
      try {
        status.textContent = await apply(request);
      } catch (err) {
        status.textContent = `Could not apply: ${(err as Error).message}`;
      } finally {
        button.disabled = false;
      }
    });
    item.append(el('code', 'tsdl-se-code', code), ' \u2192 ', result, ' ', button, ' ', status);
    list.append(item);
  }
  box.append(list);
  return box;
}

/** The whole shape-error view. */
export function renderShapeError(detail: IShapeErrorData, apply: ApplyHandler | null): HTMLElement {
  const names = roleNames(detail);
  const root = el('div', 'tsdl-shape-error');
  root.setAttribute('role', 'group');
  root.setAttribute('aria-label', `Shape error in ${detail.op}`);
  const title = el('div', 'tsdl-se-title');
  title.append('Shape error in ', el('code', '', detail.op));
  root.append(title);
  let span: ISpan | null = null;
  if (detail.location?.source) {
    const line = sourceLine(detail);
    span = line.span;
    root.append(line.node);
  }
  root.append(dimsTable(detail, names), ruleParagraph(detail, names));
  if (detail.suggestions.length) {
    root.append(suggestionList(detail, names, span, root, apply));
  }
  return root;
}

export class ShapeErrorRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(options: IRenderMime.IRendererOptions, private readonly _apply: ApplyHandler | null) {
    super();
    this._mimeType = options.mimeType;
    this.addClass('tsdl-shape-error-output');
  }

  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const detail = model.data[this._mimeType] as unknown as IShapeErrorData;
    this.node.replaceChildren(renderShapeError(detail, this._apply));
    return Promise.resolve();
  }

  private readonly _mimeType: string;
}

/** The factory; `apply` is null where no notebook can be edited (Apply is then disabled). */
export function shapeErrorRendererFactory(
  apply: ApplyHandler | null
): IRenderMime.IRendererFactory {
  return {
    safe: true,
    mimeTypes: [SHAPE_ERROR_MIME],
    defaultRank: 10,
    createRenderer: options => new ShapeErrorRenderer(options, apply)
  };
}
