import type {Preprocessing, ResizeMethod} from '../../shared/protocol/index.ts';

/** What each preprocessing does, in one line for the dropdown. */
export const PREPROCESSING_CHOICES: Record<Preprocessing, string> = {
  caffe: 'Keras VGG16 ("caffe"): BGR, ImageNet mean subtracted — what the weights were trained with',
  rescale: 'The tutorial’s rescale = 1/255 — reproduces the blog post, not what VGG16 expects',
};

/** Why one would pick each resize, in one line (they are PIL's filters, computed the same in every browser). */
export const RESIZE_CHOICES: Record<ResizeMethod, string> = {
  nearest: 'Nearest — Keras’s default in flow_from_directory: the tutorial’s exact pixels; shrinking can alias fine detail',
  bilinear: 'Bilinear — smooth, and averages when shrinking so nothing aliases: a good default for photos',
  bicubic: 'Bicubic — like bilinear but sharper, with faint halos at hard edges',
  area: 'Area (PIL’s box) — averages every pixel it covers: the cleanest for shrinking large photos, blocky when enlarging',
};
