#!/usr/bin/env bash
# Issue 12's benchmark: `mlstack doctor --image ARCHIVE` (the image read in place) beside its
# peer, extracting the image with `tar` and running the static doctor on the result
# (`mlstack doctor --root DIR`), side by side in one hyperfine run. Both reports must be equal
# (checked first). Figures go to bench/RESULTS.md by hand ("doctor --image (issue 12)"), with
# this command line.
#
#   bench/image.sh            # builds the image archive when missing, then the benchmark
#
# The image (a `docker save` archive: manifest.json, the config, one uncompressed tar per
# layer, as `docker save` and `buildah push IMG docker-archive:FILE` write it) holds a Debian
# bullseye root (the rootfs tarball tests/image caches), the CPython 3.11 the real environment
# `current` was made with, and that environment's venv with torch (CUDA 13) and the nvidia-*
# wheels (tools/real_envs/make_envs.py current): ~5 GB. It is assembled from those trees with
# GNU tar rather than built by buildah, because a vfs storage copy of 5 GB does not fit beside
# it in this machine's memory; its bytes are the format buildah writes (tests/rootfs build real
# ones). Everything lives in MLSTACK_BENCH_DATA (default /dev/shm/mlstack-bench-image: tmpfs,
# RAM — `rm -r` it when done), the peer's extraction too: tar writes to memory, not to a disk,
# so the ratio is the conservative one.
set -euo pipefail
cd "$(dirname "$0")/.."
ML=${MLSTACK:-build/release/mlstack}
DATA=${MLSTACK_BENCH_DATA:-/dev/shm/mlstack-bench-image}
OUT=build/bench-results
BASE=${MLSTACK_BENCH_BASE:-$HOME/.cache/mlstack/image/debian-bullseye-python3.tar}
VENV=$(python3 tools/real_envs/make_envs.py --path current 2>/dev/null | sed "s#/lib/python3.11/site-packages##")
[ -x "$ML" ] || { echo "image.sh: no $ML (cmake --preset release && cmake --build build/release -j2 --target mlstack)" >&2; exit 2; }
[ -d "$VENV" ] || { echo "image.sh: the real environment \`current\` is not built (make real-envs)" >&2; exit 2; }
[ -f "$BASE" ] || { echo "image.sh: no base rootfs $BASE (make image-test makes it)" >&2; exit 2; }
PYHOME=$(dirname "$(dirname "$(readlink -f "$VENV/bin/python")")")
mkdir -p "$OUT" "$DATA"
IMAGE=$DATA/image.tar

# One uncompressed layer tar per part, named by its sha256 as docker save names them.
make_layer() {  # NAME, then tar's arguments
  local name=$1; shift
  tar --create --file "$DATA/$name.tar" --numeric-owner "$@"
}
if [ ! -f "$IMAGE" ]; then
  echo "image.sh: assembling $IMAGE" >&2
  rm -rf "$DATA/parts" && mkdir -p "$DATA/parts"
  cp "$BASE" "$DATA/parts/base.tar"
  tar --create --file "$DATA/parts/python.tar" --numeric-owner -C / "${PYHOME#/}"
  SITE=${VENV#/}/lib/python3.11/site-packages
  tar --create --file "$DATA/parts/venv.tar" --numeric-owner -C / \
    --exclude "$SITE/torch" --exclude "$SITE/nvidia" --exclude "$SITE/tensorflow" \
    --exclude "$SITE/triton" --exclude "$SITE/jaxlib" --exclude "$SITE/jax_plugins" \
    --exclude "$SITE/onnxruntime" --exclude "$SITE/cupy" --exclude "$SITE/scipy" \
    --exclude "$SITE/clang" "${VENV#/}"
  tar --create --file "$DATA/parts/torch.tar" --numeric-owner -C / "$SITE/torch"
  tar --create --file "$DATA/parts/nvidia.tar" --numeric-owner -C / "$SITE/nvidia"
  python3 - "$DATA/parts" "$VENV" <<'EOF'
import hashlib, json, os, pathlib, sys
parts = pathlib.Path(sys.argv[1]); venv = sys.argv[2]
layers, diff_ids = [], []
for name in ("base", "python", "venv", "torch", "nvidia"):
    h = hashlib.sha256()
    with open(parts / f"{name}.tar", "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    digest = h.hexdigest()
    (parts / f"{name}.tar").rename(parts / f"{digest}.tar")
    layers.append(f"{digest}.tar"); diff_ids.append(f"sha256:{digest}")
config = {"architecture": "amd64", "os": "linux",
          "config": {"Env": [f"PATH={venv}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
          "rootfs": {"type": "layers", "diff_ids": diff_ids}}
text = json.dumps(config).encode()
cid = hashlib.sha256(text).hexdigest()
(parts / f"{cid}.json").write_bytes(text)
(parts / "manifest.json").write_text(json.dumps(
    [{"Config": f"{cid}.json", "RepoTags": ["mlstack-bench:latest"], "Layers": layers}]))
(parts / "layers.txt").write_text("\n".join(layers) + "\n")
(parts / "config.txt").write_text(f"{cid}.json\n")
EOF
  (cd "$DATA/parts" && tar --create --file "$IMAGE" manifest.json $(cat config.txt) $(cat layers.txt))
  cp "$DATA/parts/layers.txt" "$DATA/layers.txt"
  rm -rf "$DATA/parts"
fi
ls -l "$IMAGE"

# The peer: extract every layer in order into ROOT (this image has no whiteouts), then doctor.
# Both sides inspect the venv's interpreter (the config's PATH puts it first; a root has no
# config, so it is named).
cat > "$DATA/peer.sh" <<EOF
#!/bin/sh
set -e
rm -rf "$DATA/root" && mkdir "$DATA/root"
for layer in \$(cat "$DATA/layers.txt"); do
  tar --extract --to-stdout --file "$IMAGE" "\$layer" | tar --extract --file - -C "$DATA/root" 2>/dev/null || true
done
exec "$ML" doctor --root "$DATA/root" --python "$VENV/bin/python" --no-gpu "\$@"
EOF
chmod +x "$DATA/peer.sh"
export MLSTACK_NO_CACHE=1
"$ML" doctor --image "$IMAGE" --python "$VENV/bin/python" --json > "$OUT/image.mlstack.json" || true
"$DATA/peer.sh" --json > "$OUT/image.peer.json" || true
python3 - "$OUT/image.mlstack.json" "$OUT/image.peer.json" <<'EOF'
import json, sys
# Lists compare as multisets: a folder lists in readdir order, which is the archive's order in
# the image and tmpfs's in the extracted tree (pip's discovery follows the same order).
def norm(x):
    if isinstance(x, dict):
        return {k: norm(v) for k, v in x.items()}
    if isinstance(x, list):
        return sorted((norm(v) for v in x), key=lambda v: json.dumps(v, sort_keys=True))
    return x
a, b = (json.load(open(p)) for p in sys.argv[1:])
for r in (a, b):
    r.pop("root", None)
    r.pop("gpu", None)
a, b = norm(a), norm(b)
if a != b:
    for k in a:
        if a.get(k) != b.get(k):
            print(f"image.sh: `{k}` differs between --image and --root on the extracted tree", file=sys.stderr)
    sys.exit(1)
print(f"reports equal: {len(a['distributions'])} distributions, {len(a.get('frameworks', []))} frameworks, "
      f"{len(a.get('cuda_libraries', []))} CUDA libraries, {len(a['findings'])} findings")
EOF
hyperfine --warmup 1 --runs "${RUNS:-5}" --export-json "$OUT/image.json" --export-markdown "$OUT/image.md" \
  -n "mlstack doctor --image" "$ML doctor --image $IMAGE --python $VENV/bin/python --no-gpu > /dev/null || true" \
  -n "tar -x + mlstack doctor --root" "$DATA/peer.sh > /dev/null || true"
/usr/bin/time -f "mlstack doctor --image: %e s, max RSS %M KiB" "$ML" doctor --image "$IMAGE" --python "$VENV/bin/python" --no-gpu > /dev/null || true
