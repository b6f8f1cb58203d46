import type {Preprocessing, ResizeMethod} from '../../shared/protocol/index.ts';

/** A choice in a dropdown: its short name, and one line on why one would pick it (shown under it). */
export interface Choice {
  label: string;
  why: string;
}

export const PREPROCESSING_CHOICES: Record<Preprocessing, Choice> = {
  caffe: {label: 'Keras VGG16 ("caffe")', why: 'BGR, ImageNet mean subtracted: what the weights were trained with.'},
  rescale: {label: 'rescale = 1/255', why: 'The tutorial’s: reproduces the blog post, not what VGG16 expects.'},
};

/** PIL's filters, computed the same in every browser. */
export const RESIZE_CHOICES: Record<ResizeMethod, Choice> = {
  nearest: {label: 'Nearest', why: 'Keras’s default in flow_from_directory: the tutorial’s exact pixels; shrinking can alias fine detail.'},
  bilinear: {label: 'Bilinear', why: 'Smooth, and averages when shrinking so nothing aliases: a good default for photos.'},
  bicubic: {label: 'Bicubic', why: 'Like bilinear but sharper, with faint halos at hard edges.'},
  area: {label: 'Area (PIL’s box)', why: 'Averages every pixel it covers: the cleanest for shrinking large photos, blocky when enlarging.'},
};
