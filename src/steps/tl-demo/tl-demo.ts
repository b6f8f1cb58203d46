import {html, nothing} from 'lit';
import {customElement} from 'lit/decorators.js';
import type {Lab} from '../../lab/lab.ts';
import {progressText} from '../../view-model/progress-text.ts';
import {StepElement} from '../step-element.ts';
import {action} from '../step-parts.ts';

/**
 * The offline demo: one button runs every step on files that ship with the
 * page (a narrow VGG16 pre-trained on Fashion-MNIST, and bags vs ankle
 * boots), showing each step as it goes; it can be stopped.
 *
 * @summary Run every step on the shipped demo files.
 */
@customElement('tl-demo')
export class TlDemo extends StepElement {
  protected readonly number = '';
  protected readonly heading = 'Offline demo';
  protected override readonly split = false;

  protected why() {
    return 'No ImageNet weights at hand? The demo runs every step on files that ship with this page: a narrow VGG16 pre-trained on Fashion-MNIST clothes (T-shirts, trousers, pullovers, dresses, coats — not ImageNet), and 500 images of two classes it never saw, bags and ankle boots.';
  }

  protected renderControls(lab: Lab) {
    const {demo} = lab;
    return html`<div class="actions">
      ${demo.running
        ? html`<button type="button" @click=${() => demo.stop()}>Stop the demo</button>`
        : action({label: 'Run the demo', blocked: demo.blocked(), id: 'run-demo', primary: true, onClick: () => void demo.run()})}
    </div>`;
  }

  protected renderOutput(lab: Lab) {
    const {demo} = lab;
    const progress = demo.progress;
    const text = progress ? progressText(progress) : null;
    return html`
      ${demo.running
        ? html`<p role="status">Demo: ${demo.stage}…${text ? ` ${text.position}${text.figures.length ? ` · ${text.figures.join(' · ')}` : ''}` : ''}</p>`
        : nothing}
      ${demo.outcome ? html`<p class=${demo.outcome.ok ? 'ok' : 'error'} role=${demo.outcome.ok ? 'status' : 'alert'}>${demo.outcome.text}</p>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tl-demo': TlDemo;
  }
}
