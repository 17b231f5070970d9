/** Resolved options every zoo family builder receives from `createModel`. */
export interface FamilyOptions {
  readonly seed: number;
  readonly numClasses: number;
  /** CIFAR ResNet shortcut option (only the resnet20/32/44/56 family reads it). */
  readonly shortcut: 'A' | 'B';
}
