// A check: one rule's verdict on one image or index, with the evidence a reader needs. Every
// decision module returns these; the report carries them; the renderers print them.

export type RuleName =
  | 'layer-count'
  | 'diff-ids'
  | 'image-id'
  | 'digest'
  | 'platform'
  // with a local source that holds blobs or names manifests (blob-rules.ts)
  | 'local-blobs'
  | 'manifest-digest'
  | 'layer-digests'
  // multi-platform runs (platforms.ts)
  | 'platforms'
  | 'index-digest'
  // deep verification (deep.ts)
  | 'layer-blobs'
  // opt-in gates on the pushed image (gates.ts; platforms above is shared)
  | 'efficiency'
  // BuildKit attestations bound to the images they describe (attestations.ts)
  | 'attestations';

export interface Check {
  rule: RuleName;
  ok: boolean;
  message: string;
  /** 1-based index of the first differing layer, when the rule is about layers. */
  layer?: number;
  expected?: string;
  actual?: string;
  /** The platform the check is about, in a run that verifies several. */
  platform?: string;
}
