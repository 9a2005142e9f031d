import { podLabelsOf, type PodLabels } from '../../../../protocol/index.js';

/** How a row names the file a line came from. */
export interface SourceLabel {
  /** `namespace/pod/container` for a container log, the file's name otherwise. */
  text: string;
  /** The hover text: the labels spelled out, and the whole path. */
  title: string;
  /** A container log's Kubernetes labels; undefined for any other file. */
  pod: PodLabels | undefined;
}

/** A file's short name in a row: its pod labels when its path has them (protocol/shared/pod-labels.ts), else its base name. */
export function sourceLabel(file: string): SourceLabel {
  const labels = podLabelsOf(file);
  if (labels) {
    return {
      text: `${labels.namespace}/${labels.pod}/${labels.container}`,
      title: `namespace ${labels.namespace}, pod ${labels.pod}, container ${labels.container}\n${file}`,
      pod: labels,
    };
  }
  return { text: file.slice(file.lastIndexOf('/') + 1) || file, title: file, pod: undefined };
}
