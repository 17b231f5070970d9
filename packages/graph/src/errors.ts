/**
 * Thrown when a graph is structurally invalid: a layer whose inputs do not exist or come later, shapes that do
 * not fit, a weight tensor whose shape disagrees with the layer's attributes, a channel removal that cannot be
 * applied consistently, or a `.qpk` model file whose topology is broken.
 *
 * The message starts with the offending layer (`layer "layer1.0.conv1": …`) when there is one, then says what is
 * wrong and, where useful, what to do about it.
 *
 * @example
 * ```ts
 * try { validateGraph(graph); } catch (e) { if (e instanceof GraphError) console.error(e.layer, e.reason); }
 * ```
 */
export class GraphError extends Error {
  /** Name of the offending layer, or `''` when the problem is not tied to one layer. */
  readonly layer: string;
  /** What is wrong, without the layer prefix. */
  readonly reason: string;

  /**
   * @param reason - what is wrong (and what to do)
   * @param layer - the offending layer's name, `''` for graph-level problems
   */
  constructor(reason: string, layer = '') {
    super(layer === '' ? reason : `layer "${layer}": ${reason}`);
    this.name = 'GraphError';
    this.layer = layer;
    this.reason = reason;
  }
}
