/**
 * The client side of the demo Kubernetes API for a demo node's shell (busybox sh and Debian's
 * curl, whose OpenSSL verifies the API server against the cluster CA the node was given): what
 * a kubelet does at the API — register its Node (NotReady until its network plugin runs), then
 * report its Ready condition — and what Talos's manifest controller does with the config's
 * inline manifests. Every call is retried until the API answers 2xx, as kubelet retries.
 *
 * The shell expects KUBE (https://host:port), KUBE_CA (a PEM file) and KUBE_TOKEN (a file
 * holding the bearer token) to be set. Functions:
 *   kube_register NAME ADDRESS ROLES OS KUBELET   ROLES comma-separated (control-plane,etcd)
 *   kube_ready NAME True|False REASON MESSAGE
 *   kube_apply NAME FILE                         one manifest, all its documents
 */
export const KUBELET_SH = `kube_call() {
  until code=$(curl -sS -o /tmp/kube.out -w '%{http_code}' --max-time 10 --cacert "$KUBE_CA" -H "Authorization: Bearer $(cat "$KUBE_TOKEN")" -H "Content-Type: $3" -X "$1" --data-binary "$4" "$KUBE$2" 2>/tmp/kube.err) && [ "\${code#2}" != "$code" ]; do
    echo "demo: $1 $2: \${code:-no answer} $(head -c 200 /tmp/kube.err /tmp/kube.out 2>/dev/null | tr '\\n' ' ')"; sleep 2
  done
}
kube_register() {
  labels="\\"kubernetes.io/hostname\\":\\"$1\\""
  for r in $(echo "$3" | tr ',' ' '); do labels="$labels,\\"node-role.kubernetes.io/$r\\":\\"\\""; done
  kube_call POST /api/v1/nodes application/json "{\\"apiVersion\\":\\"v1\\",\\"kind\\":\\"Node\\",\\"metadata\\":{\\"name\\":\\"$1\\",\\"labels\\":{$labels}},\\"status\\":{\\"conditions\\":[{\\"type\\":\\"Ready\\",\\"status\\":\\"False\\",\\"reason\\":\\"KubeletNotReady\\",\\"message\\":\\"container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized\\"}],\\"addresses\\":[{\\"type\\":\\"InternalIP\\",\\"address\\":\\"$2\\"},{\\"type\\":\\"Hostname\\",\\"address\\":\\"$1\\"}],\\"nodeInfo\\":{\\"osImage\\":\\"$4\\",\\"kubeletVersion\\":\\"$5\\"}}}"
  echo "demo: kubelet registered node $1 (NotReady)"
}
kube_ready() {
  kube_call PATCH /api/v1/nodes/$1/status application/merge-patch+json "{\\"status\\":{\\"conditions\\":[{\\"type\\":\\"Ready\\",\\"status\\":\\"$2\\",\\"reason\\":\\"$3\\",\\"message\\":\\"$4\\"}]}}"
  echo "demo: kubelet reported node $1 Ready=$2"
}
kube_apply() {
  kube_call POST /demo/v1/manifests/$1 application/yaml @$2
  echo "demo: applied manifest $1"
}
`;
