import {DEMO} from '../shared/demo.ts';
import type {Lab} from './lab.ts';
import {Walkthrough} from './walkthrough.ts';

/** The whole workflow on the demo's files (public/demo/): the backbone, the dataset, every step to the test results. */
export class DemoRun extends Walkthrough {
  constructor(private readonly demoLab: Lab) {
    super(demoLab, 'The demo');
  }

  /** Why the demo cannot start yet, or ''. */
  blocked(): string {
    return this.demoLab.runtime.ready ? '' : 'Waiting for the runtime to start.';
  }

  run(): Promise<boolean> {
    const lab = this.demoLab;
    const folder = new URL(lab.config.demoUrl, document.baseURI);
    return this.walk(
      () => [
        ['loading the Fashion-MNIST backbone', lab.weights.run, () => lab.weights.load({kind: 'url', url: new URL(DEMO.weightsPath, folder).href})],
        ['importing bags vs ankle boots', lab.dataset.run, () => lab.dataset.importUrl(new URL(DEMO.datasetPath, folder).href, {})],
        ['computing features', lab.features.run, () => lab.features.compute({...DEMO.features})],
        ['training the head', lab.head.run, () => lab.head.train({...DEMO.head})],
        ['fine-tuning block5', lab.fineTune.run, () => lab.fineTune.start({...DEMO.fineTune})],
        ['evaluating on the test split', lab.results.run, () => lab.results.evaluate('fine-tuned')],
      ],
      () => {
        const result = lab.results.result;
        return {
          ok: true,
          text: `Done: the fine-tuned model got ${result ? `${(result.accuracy * 100).toFixed(1)} %` : 'its score'} of the test images right (step 5).`,
        };
      },
    );
  }
}
