#!/bin/sh
# The main job on the example lab, as far as this machine can take it: validate the lab, create
# its secrets (once), write the runbook, render every config, build both boot media and, as root,
# rehearse phase 1 with the lab as virtual machines (builder rehearse --demo). Steps
# that need something only the network provides (base ISOs, the pinned Argo CD manifest) say
# what is missing and how to get it, and the job goes on with the rest.
set -u
cd "$(dirname "$0")/.."
lab=examples/genesis/lab.yaml
state=examples/genesis/state
builder() { node builder/bin/builder.js "$@"; }
step() { printf '\n== %s\n' "$*"; }
pending=""
later() { pending="$pending\n  - $1"; }

step "validate the lab"
builder validate --lab "$lab" || exit 1

step "secrets (created once, never overwritten)"
if [ -f "$state/secrets/talos-secrets.yaml" ]; then
  echo "kept: $state/secrets (already initialised)"
else
  builder secrets init --lab "$lab" || exit 1
fi

step "images the media are built from"
builder images list --lab "$lab" || exit 1

step "runbook"
builder runbook --lab "$lab" || exit 1

step "render every config"
if ! builder render --lab "$lab" 2>/dev/null; then
  echo "The pinned Argo CD manifest is not in the image cache; rendering without the Argo CD bootstrap."
  builder render --lab "$lab" --without-argocd || exit 1
  later "Argo CD bootstrap in the Talos configs: pin and fetch the manifest (\`builder images sync argocd-install\`, see examples/genesis/images.yaml), then \`builder render\` again"
fi

step "boot media: UM760 (Talos ISO with cp-1's config embedded)"
builder make-usb --target um760 --lab "$lab" || later "UM760 stick: needs the Talos base ISO — \`builder images sync talos-metal\` with network, or \`builder images import FILE\`"

step "boot media: VP6630 gateway stick (VyOS + gateway config + agent + runbook)"
builder make-usb --target vp6630 --lab "$lab" || later "gateway stick: needs the VyOS base ISO — \`builder images sync vyos\` with network, or \`builder images import FILE\`"

step "rehearsal: the lab as virtual machines on this machine (demo payloads; phase 1, the one they cover)"
if [ "$(id -u)" != 0 ]; then
  later "rehearsal: \`sudo builder rehearse --demo --phases 1\` (it creates network namespaces, so it needs root)"
else
  builder rehearse --demo --phases 1 --lab "$lab" || later "rehearsal: phase 1 did not reach its demo goal (see above; \`builder rehearse --clean\` if it was interrupted)"
fi

if [ -n "$pending" ]; then
  printf '\n== not done yet on this machine:%b\n' "$pending"
fi
printf '\nOutputs are under %s (secrets in %s/secrets, mode 0600).\n' "$state" "$state"
