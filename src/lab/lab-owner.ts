import type {ReactiveController, ReactiveControllerHost} from 'lit';
import {Lab} from './lab.ts';
import type {LabConfig} from './lab-config.ts';
import {LAB_EVENTS} from './lab-events.ts';

export type LabOwnerHost = ReactiveControllerHost & HTMLElement & {labConfig(): Partial<LabConfig>};

/**
 * Makes a lab for an element (a provider, or a step used alone), starts
 * it, and announces its milestones as DOM events on that element (bubbling,
 * composed). A move in the page (disconnect, then connect again at once)
 * keeps the lab; leaving the page ends its worker.
 */
export class LabOwner implements ReactiveController {
  lab: Lab | undefined;
  #dispose: ReturnType<typeof setTimeout> | null = null;
  readonly #forward = (event: Event) =>
    this.host.dispatchEvent(new CustomEvent(event.type, {detail: (event as CustomEvent).detail, bubbles: true, composed: true}));

  constructor(
    private readonly host: LabOwnerHost,
    private readonly onLab: (lab: Lab | undefined) => void = () => {},
  ) {}

  /** Makes and starts the lab (once); the host calls this when it connects or first needs one. */
  ensure(): Lab {
    if (this.#dispose !== null) {
      clearTimeout(this.#dispose);
      this.#dispose = null;
    }
    if (!this.lab) {
      const lab = new Lab({config: this.host.labConfig()});
      for (const type of LAB_EVENTS) lab.addEventListener(type, this.#forward);
      this.lab = lab;
      this.onLab(lab);
      void lab.start();
    }
    return this.lab;
  }

  hostDisconnected(): void {
    if (!this.lab || this.#dispose !== null) return;
    this.#dispose = setTimeout(() => {
      this.#dispose = null;
      if (this.host.isConnected || !this.lab) return;
      const lab = this.lab;
      this.lab = undefined;
      this.onLab(undefined);
      for (const type of LAB_EVENTS) lab.removeEventListener(type, this.#forward);
      lab.dispose();
    });
  }
}
