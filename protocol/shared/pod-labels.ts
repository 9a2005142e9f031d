/** The Kubernetes labels a container log's path states; viewers show them and filters scope by them. */
export interface PodLabels {
  namespace: string;
  pod: string;
  container: string;
}

// /var/log/pods/<namespace>_<pod>_<uid>/<container>/<restart>.log (the kubelet's layout). Namespaces,
// pod names and uids never contain '_' or '/', so each part is one run of other characters.
const PODS_LAYOUT = /(?:^|\/)pods\/([^/_]+)_([^/_]+)_[^/_]+\/([^/]+)\/[^/]+$/;
// /var/log/containers/<pod>_<namespace>_<container>-<64 hex container id>.log (the kubelet's symlinks).
const CONTAINERS_LAYOUT = /(?:^|\/)containers\/([^/_]+)_([^/_]+)_([^/]+)-[0-9a-f]{64}\.log$/;

/** The labels of a file in the kubelet's layouts, or undefined for any other path. */
export function podLabelsOf(file: string): PodLabels | undefined {
  const pods = PODS_LAYOUT.exec(file);
  if (pods) return { namespace: pods[1]!, pod: pods[2]!, container: pods[3]! };
  const containers = CONTAINERS_LAYOUT.exec(file);
  if (containers) return { namespace: containers[2]!, pod: containers[1]!, container: containers[3]! };
  return undefined;
}
