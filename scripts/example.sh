#!/bin/sh
# The main job on the example lab, as far as this machine can take it: validate the lab, create
# its secrets (once), write the runbook, render every config, build both boot media and, as root,
# rehearse phase 1 with the lab as virtual machines (builder rehearse --demo --phases 1, about
# 2 minutes on 2 cores without KVM; all four phases take over 6, past the main job's 5-minute
# budget, so the job names the command for them). Steps
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
# Render refuses what this machine may lack (the pinned Argo CD and Cilium manifests, the PXE boot tree:
# iPXE loaders, Harvester and Talos kernels); each missing part is said, labelled, and the render
# goes on without it.
errs=$(mktemp)
flags=""
while ! builder render --lab "$lab" $flags 2>"$errs"; do
  if grep -q ERR_ARGOCD_MANIFEST_MISSING "$errs" && [ "${flags#*--without-argocd}" = "$flags" ]; then
    echo "The pinned Argo CD manifest is not in the image cache; rendering without the Argo CD bootstrap."
    flags="$flags --without-argocd"
    later "Argo CD bootstrap in the Talos configs: pin and fetch the manifest (\`builder images sync argocd-install\`, see examples/genesis/images.yaml), then \`builder render\` again"
  elif grep -q ERR_CNI_MANIFEST_MISSING "$errs" && [ "${flags#*--without-cni}" = "$flags" ]; then
    echo "The pinned Cilium manifest is not in the image cache; rendering the Talos configs without it (the nodes would stay NotReady)."
    flags="$flags --without-cni"
    later "Cilium in the Talos configs: render it with helm, pin and import it (\`builder images import cilium.yaml --name cilium-install\`, see examples/genesis/images.yaml), then \`builder render\` again"
  elif grep -q ERR_BOOT_ASSET_MISSING "$errs" && [ "${flags#*--without-boot-assets}" = "$flags" ]; then
    echo "PXE boot tree: files the iPXE scripts and DHCP answers name are not in the image cache:"
    sed -n 's/^  \([^ ].*\) (named by .*): \(.*\)$/  [missing boot asset] \1: \2/p' "$errs"
    echo "Rendering the scripts anyway (--without-boot-assets); the gateway stick needs them all."
    flags="$flags --without-boot-assets"
    later "PXE boot tree (iPXE loaders, Harvester v1.5.0 and Talos v1.12.0 kernels, Harvester rootfs and ISO): fetch or import each \`[missing boot asset]\` above (\`builder images sync NAME\`, or offline \`builder images import FILE --name NAME\`; the Harvester and Talos entries must be pinned first, see examples/genesis/images.yaml), then \`builder render\` again"
  else
    cat "$errs" >&2
    rm -f "$errs"
    exit 1
  fi
done
rm -f "$errs"
# make-usb checks the configs against a render made the same way.
mflags=""
case "$flags" in *--without-argocd*) mflags="$mflags --without-argocd" ;; esac
case "$flags" in *--without-cni*) mflags="$mflags --without-cni" ;; esac

# make_stick TARGET WHAT BASE-IMAGE [FLAGS]: build one stick; a failure is said by its cause and the job goes on.
# --demo-base: without the real base in the image cache, the stick is built from the demo base
# (labelled demo: for the rehearsal, not for the machine); make-usb says which it used.
# The gateway stick also leaves the PXE boot tree out when the render had to go without it.
gflags="--demo-base"
case "$flags" in *--without-boot-assets*) gflags="$gflags --without-boot-assets" ;; esac
make_stick() {
  errs=$(mktemp)
  if ! builder make-usb --target "$1" --lab "$lab" $mflags ${4:-} 2>"$errs"; then
    cat "$errs" >&2
    if grep -q ERR_BOOT_ASSET_MISSING "$errs"; then
      later "$2: its PXE service needs the boot tree (the \`[missing boot asset]\` files above) in the image cache"
    elif grep -q -e ERR_IMAGE_NOT_CACHED -e ERR_IMAGE_NOT_PINNED "$errs"; then
      later "$2: needs its base ISO — \`builder images sync $3\` with network, or \`builder images import FILE\`"
    else
      later "$2: make-usb failed (see above)"
    fi
  else
    cat "$errs" >&2
    if grep -q -e "building from the DEMO base" -e "building from the VyOS DEMO base" "$errs"; then
      later "$2: built from the DEMO base (for the rehearsal); for the machine itself \`builder images sync $3\` with network, or \`builder images import FILE\`, then build it again"
    fi
  fi
  rm -f "$errs"
}

step "boot media: UM760 (Talos ISO with cp-1's config embedded)"
make_stick um760 "UM760 stick" talos-metal --demo-base

step "boot media: VP6630 gateway stick (VyOS + gateway config + agent + runbook)"
make_stick vp6630 "gateway stick" vyos "$gflags"

step "rehearsal: the lab as virtual machines on this machine (demo payloads, phase 1)"
# Phase 1 only: the whole demo Genesis (phases 1 to 4) takes over 6 minutes on 2 cores without
# KVM, past this job's 5-minute budget; CI runs it in full (test/rehearse/pxe-vm.test.ts).
if [ "$(id -u)" != 0 ]; then
  later "rehearsal: \`sudo builder rehearse --demo --phases 1\` (it creates network namespaces, so it needs root)"
else
  builder rehearse --demo --phases 1 --lab "$lab" || later "rehearsal: a phase failed (see above; \`builder rehearse --clean\` if it was interrupted)"
  later "the whole demo Genesis, phases 1 to 4 (about 6 minutes on 2 cores): \`sudo builder rehearse --demo --lab $lab\`"
fi

if [ -n "$pending" ]; then
  printf '\n== not done yet on this machine:%b\n' "$pending"
fi
printf '\nOutputs are under %s (secrets in %s/secrets, mode 0600).\n' "$state" "$state"
