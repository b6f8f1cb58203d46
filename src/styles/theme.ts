import {css} from 'lit';

/**
 * The few custom properties every element themes from (listed, with what
 * each colours, on StepElement for the manifest). A page sets the public
 * ones (--tl-…) anywhere above the elements; inside, each is read once into
 * a private one with its default.
 */
export const theme = css`
  :host {
    --_font: var(--tl-font-family, inherit);
    --_text: var(--tl-color-text, #1c1e21);
    --_muted: var(--tl-color-muted, #4a4f57);
    --_surface: var(--tl-color-surface, #fff);
    --_border: var(--tl-color-border, #dfe2e6);
    --_accent: var(--tl-color-accent, #2456c9);
    --_on-accent: var(--tl-color-on-accent, #fff);
    --_error: var(--tl-color-error, #a1170b);
    --_warning: var(--tl-color-warning, #7a4300);
    --_success: var(--tl-color-success, #1e6b35);
    --_radius: var(--tl-radius, 0.5rem);
    --_space: var(--tl-space, 1rem);
    font-family: var(--_font);
    color: var(--_text);
    line-height: 1.45;
    /* A long unbroken word (a URL in an error) wraps instead of widening a phone's page. */
    overflow-wrap: break-word;
  }
`;

/** Forms, buttons and notes, the same in every step. */
export const controls = css`
  form { display: flex; flex-wrap: wrap; gap: calc(var(--_space) * 0.5) calc(var(--_space) * 0.75); align-items: end; margin: 0; }
  label { display: flex; flex-direction: column; gap: 0.15rem; font-size: 0.9em; color: var(--_muted); min-width: 0; }
  label.check { flex-direction: row; align-items: center; gap: 0.4rem; }
  input, select { font: inherit; color: var(--_text); padding: 0.3rem 0.4rem; border: 1px solid var(--_border); border-radius: calc(var(--_radius) * 0.6); background: var(--_surface); max-width: 100%; }
  input[type='number'] { width: 7rem; }
  input:disabled, select:disabled { color: var(--_muted); background: transparent; }
  button {
    font: inherit; padding: 0.4rem 0.9rem; cursor: pointer; border-radius: calc(var(--_radius) * 0.6);
    border: 1px solid var(--_accent); background: var(--_surface); color: var(--_accent);
  }
  button.primary { background: var(--_accent); color: var(--_on-accent); }
  button:disabled { cursor: not-allowed; border-color: var(--_border); background: transparent; color: var(--_muted); }
  :focus-visible { outline: 2px solid var(--_accent); outline-offset: 2px; }
  /* A file input that looks like a button: the input stays focusable (and announced), only hidden. */
  label.file {
    flex-direction: row; display: inline-flex; align-items: center; font-size: 1em; cursor: pointer;
    padding: 0.4rem 0.9rem; border: 1px solid var(--_accent); border-radius: calc(var(--_radius) * 0.6); background: var(--_surface); color: var(--_accent);
  }
  label.file:focus-within { outline: 2px solid var(--_accent); outline-offset: 2px; }
  label.file input { position: absolute; width: 1px; height: 1px; opacity: 0; }
  label.file.disabled { cursor: not-allowed; border-color: var(--_border); color: var(--_muted); }
  .actions { display: flex; flex-wrap: wrap; align-items: center; gap: calc(var(--_space) * 0.5); margin-top: calc(var(--_space) * 0.75); }
  .waits { color: var(--_muted); font-size: 0.9em; }
  .hint { color: var(--_muted); font-size: 0.9em; margin: calc(var(--_space) * 0.5) 0 0; }
  .error { color: var(--_error); margin: calc(var(--_space) * 0.5) 0 0; overflow-wrap: anywhere; }
  .warning { color: var(--_warning); margin: calc(var(--_space) * 0.5) 0 0; }
  .ok { color: var(--_success); margin: calc(var(--_space) * 0.5) 0 0; }
  .restored { color: var(--_muted); font-size: 0.9em; margin: calc(var(--_space) * 0.5) 0 0; }
  code { font-family: ui-monospace, monospace; font-size: 0.92em; overflow-wrap: anywhere; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
`;
