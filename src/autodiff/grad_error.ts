export class GradError extends Error {
  override name = 'GradError';
}
