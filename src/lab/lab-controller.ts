import {ContextConsumer} from '@lit/context';
import type {ReactiveController} from 'lit';
import type {Lab} from './lab.ts';
import {labContext} from './lab-context.ts';
import {LabOwner, type LabOwnerHost} from './lab-owner.ts';

/**
 * How a step element gets its lab: from the nearest provider above it
 * (<tl-lab>, <tl-playground>, or a page's own), or, when there is none,
 * a lab of its own, configured by its attributes. The host re-renders on
 * every change of the lab.
 */
export class LabController implements ReactiveController {
  #provided: Lab | undefined;
  #answered = false;
  #listening: Lab | undefined;
  readonly #own: LabOwner;
  readonly #changed = () => this.host.requestUpdate();

  constructor(private readonly host: LabOwnerHost) {
    this.#own = new LabOwner(host);
    // Added before this controller, so its request is answered (or not) by the time hostConnected runs here.
    new ContextConsumer(host, {
      context: labContext,
      subscribe: true,
      callback: (lab) => {
        this.#answered = true;
        this.#provided = lab;
        this.#listen();
      },
    });
    host.addController(this);
    host.addController(this.#own);
  }

  get lab(): Lab | undefined {
    return this.#provided ?? this.#own.lab;
  }

  /** True when this element made its own lab (no provider above it). */
  get owned(): boolean {
    return !this.#provided && this.#own.lab !== undefined;
  }

  hostConnected(): void {
    if (!this.#answered) this.#own.ensure();
    this.#listen();
  }

  hostDisconnected(): void {
    this.#listening?.removeEventListener('change', this.#changed);
    this.#listening = undefined;
    this.#answered = false;
  }

  #listen(): void {
    const lab = this.lab;
    if (lab === this.#listening) return;
    this.#listening?.removeEventListener('change', this.#changed);
    lab?.addEventListener('change', this.#changed);
    this.#listening = lab;
    this.host.requestUpdate();
  }
}
