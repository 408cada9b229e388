#!/bin/sh
# The main job on the example lab: validate it (and, as the builder grows, more).
set -eu
cd "$(dirname "$0")/.."
lab=examples/genesis/lab.yaml
npx builder validate --lab "$lab"
