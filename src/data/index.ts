// Public surface of src/data (the trainer imports from here).
export type { Image, Channels } from './image.ts';
export { createImage, cloneImage, imageFromU8, imageToU8, luma } from './image.ts';
export { Rng } from './rng.ts';
export { DecodeError, DatasetError, type SkippedFile } from './errors.ts';
export { decodeImage, decodeImageU8, probeChannels, probeImage, type DecodeOptions, type DecodedU8, type ImageProbe } from './decode.ts';
export { resizeImage, resampleBox, type Box } from './resize.ts';
export * from './augment/index.ts';
export { PixelDataset, FileDataset, isShareable, datasetFromHandle, type Dataset, type ShareableDataset, type DatasetHandle } from './dataset.ts';
export { decodeSide, loadImageFolder, type ImageFolderOptions, type ImageFolderDataset } from './image_folder.ts';
export { IMAGE_EXTENSIONS, scanImageFolder, splitByRatio } from './folder_scan.ts';
export { loadIdx, parseIdx, encodeIdx, type IdxArray, type IdxOptions } from './idx.ts';
export { loadFashionMnist, FASHION_MNIST_CLASSES, type FashionMnistOptions } from './fashion_mnist.ts';
export { openDataset, type OpenDatasetOptions, type OpenedDataset } from './datasets.ts';
export { computeMeanStd, toNchw, writeNchw, type MeanStd } from './normalize.ts';
export { epochOrder, type EpochOrderOptions } from './sampler.ts';
export { DataLoader, measureLoader, type Batch, type DataLoaderOptions, type LoaderThroughput } from './loader.ts';
