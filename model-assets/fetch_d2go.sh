#!/usr/bin/env bash
# Downloads the D2Go Faster R-CNN TorchScript file (d2go.pt) and its COCO class names from the public
# PyTorch Android demo app, pinned to one commit, and checks both sha256 sums.
#
#   model-assets/fetch_d2go.sh [DIR]      (default DIR: model-assets/target/weights/d2go-fbnetv3a-c4-coco)
#
# Then build with:  mvn -B verify -Dd2go.weights=DIR/d2go.pt
set -euo pipefail

dir="${1:-$(dirname "$0")/target/weights/d2go-fbnetv3a-c4-coco}"
base="https://raw.githubusercontent.com/pytorch/android-demo-app/d347168e212b8e6244019b5f49e2b3d6a6f4e816/D2Go/ObjectDetection/app/src/main/assets"
declare -A sha=(
  [d2go.pt]=a83b0798d5c4fce6c96fe27f9f0b22408d64a3faf76285b0e45047fab322ecdd
  [classes.txt]=8925173e1b0aabfaefda27de2bb908233bb8fb6e7582323d72988e4be15a5f0b
)

mkdir -p "$dir"
for file in d2go.pt classes.txt; do
  target="$dir/$file"
  if [ -f "$target" ] && echo "${sha[$file]}  $target" | sha256sum --check --status; then
    echo "$target: present, checksum OK"
    continue
  fi
  echo "downloading $file ..."
  curl --fail --location --retry 3 --show-error --silent --output "$target.part" "$base/$file"
  if ! echo "${sha[$file]}  $target.part" | sha256sum --check --status; then
    rm -f "$target.part"
    echo "checksum mismatch for $file: expected ${sha[$file]}" >&2
    exit 1
  fi
  mv "$target.part" "$target"
  echo "$target: checksum OK"
done
echo "weights ready: pass -Dd2go.weights=$dir/d2go.pt to Maven"
