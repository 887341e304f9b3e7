#!/usr/bin/env python3
"""Seed corpora for the libFuzzer targets of tests/fuzz, from the project's own test data.

Writes OUT/<target>/<n> files (one input each) for every target in tests/fuzz/CMakeLists.txt:
the PEP 440 / PEP 508 / metadata vectors (tests/data/*/vectors.json), the fixture
environments' METADATA, WHEEL, RECORD and build files (tests/data/envs), the ELF fixtures and
their .nv_fatbin sections (tests/data/elf), the KB files and their rule expressions
(data/kb), the fake NVML fixtures encoded as the answers fuzz_nvml.cpp reads
(tests/data/nvml), and a few CUDA header and ld.so.conf texts. Deterministic; rewrites OUT.

Usage: make_seeds.py --root REPO --out DIR
"""
import argparse
import json
import pathlib
import shutil
import struct
import tomllib

# A sample keeps the corpus small enough to load in a second; the fuzzer finds the rest.
MAX_PER_SOURCE = 600


class Seeds:
    def __init__(self, out: pathlib.Path):
        self.out = out
        self.counts = {}

    def add(self, target: str, data) -> None:
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogatepass")
        folder = self.out / target
        folder.mkdir(parents=True, exist_ok=True)
        n = self.counts.get(target, 0)
        (folder / f"seed-{n:05d}").write_bytes(data)
        self.counts[target] = n + 1

    def add_all(self, target: str, items) -> None:
        items = list(items)
        step = max(1, len(items) // MAX_PER_SOURCE)
        for item in items[::step]:
            self.add(target, item)


def elf_section(data: bytes, name: bytes):
    """The bytes of section `name` of a little-endian ELF64 file, or None."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return None
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    sections = []
    for i in range(shnum):
        off = shoff + i * shentsize
        sh_name, _type, _flags, _addr, sh_offset, sh_size = struct.unpack_from("<IIQQQQ", data, off)
        sections.append((sh_name, sh_offset, sh_size))
    _, str_off, str_size = sections[shstrndx]
    strtab = data[str_off:str_off + str_size]
    for sh_name, sh_offset, sh_size in sections:
        end = strtab.find(b"\0", sh_name)
        if strtab[sh_name:end] == name:
            return data[sh_offset:sh_offset + sh_size]
    return None


# The order in which gather.cpp asks NVML, for one fixture (fuzz_nvml.cpp's byte protocol):
# a status byte before each answer (1: success), strings as a length byte and the bytes,
# numbers big-endian.
def nvml_answers(doc: dict) -> bytes:
    out = bytearray()

    def ok():
        out.append(1)

    def string(s):
        ok()
        b = s.encode()[:95]
        out.append(len(b))
        out.extend(b)

    def u32(v):
        out.extend(struct.pack(">I", v & 0xFFFFFFFF))

    def u64(v):
        out.extend(struct.pack(">Q", v & 0xFFFFFFFFFFFFFFFF))

    ok()  # nvmlInit_v2
    string(doc.get("driver_version", ""))
    ok()
    u32(doc.get("cuda_driver_version", 0))
    string(doc.get("nvml_version", ""))
    devices = doc.get("devices", [])
    ok()
    u32(len(devices))
    for d in devices:
        ok()  # handle
        string(d.get("name", ""))
        string(d.get("uuid", ""))
        string(d.get("pci_bus_id", ""))
        mem = d.get("memory", {})
        ok()
        u64(mem.get("total", 0))
        u64(mem.get("total", 0) - mem.get("used", 0))
        u64(mem.get("used", 0))
        cc = d.get("compute_capability", [0, 0])
        ok()
        u32(cc[0])
        u32(cc[1])
        mig = d.get("mig_mode", {"current": 0, "pending": 0})
        ok()
        out.append(mig.get("current", 0))
        out.append(mig.get("pending", 0))
        if mig.get("current", 0) == 1:
            migs = d.get("mig_devices", [])
            ok()
            u32(len(migs))
            for m in migs:
                ok()  # handle
                string(m.get("uuid", ""))
                ok()
                u32(m.get("gpu_instance_id", 0))
                ok()
                u32(m.get("compute_instance_id", 0))
                ok()
                mm = m.get("memory", {})
                u64(mm.get("total", 0))
                u64(0)
                u64(mm.get("used", 0))
                string(m.get("name", ""))
        procs = d.get("processes", [])
        # First call (no buffer): success and a count; then the list.
        ok()
        out.append(len(procs) + 16)  # a selector byte >= 16: the count is it - 16
        if procs:
            ok()
            out.append(len(procs) + 16)
            for p in procs:
                u32(p.get("pid", 0))
                u64(p.get("used_gpu_memory") or 0)
                u32(p.get("gpu_instance_id", 0xFFFFFFFF))
                u32(p.get("compute_instance_id", 0xFFFFFFFF))
    return bytes(out)


def npy_bytes(descr: str, shape: tuple, data: bytes, fortran=False, major=1) -> bytes:
    header = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape!r}, }}"
    pre = 10 if major == 1 else 12
    header += " " * ((64 - (pre + len(header) + 1) % 64) % 64) + "\n"
    size = len(header).to_bytes(2 if major == 1 else 4, "little")
    return b"\x93NUMPY" + bytes([major, 0]) + size + header.encode() + data


def tensor_seeds(seeds) -> None:
    """.npy, .npz, .safetensors and ONNX TensorProto seeds (the tensors readers' targets)."""
    import io
    import zipfile
    npys = [npy_bytes("<f4", (2,), bytes(8)), npy_bytes(">i2", (2, 1), bytes(4), True, 2),
            npy_bytes("|b1", (), b"\x01", major=3), npy_bytes("<f8", (0, 3), b""),
            npy_bytes("|O", (1,), bytes(8))]
    seeds.add_all("npy", npys)
    for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", method) as z:
            for i, n in enumerate(npys[:3]):
                with z.open(f"a{i}.npy", "w", force_zip64=(i == 1)) as f:
                    f.write(n)
        seeds.add("npz", buf.getvalue())
    for header, data in [('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', bytes(8)),
                         ('{"__metadata__":{"k":"v"},"b":{"dtype":"BF16","shape":[1,1],'
                          '"data_offsets":[0,2]},"c":{"dtype":"BOOL","shape":[],'
                          '"data_offsets":[2,3]}}', bytes(3))]:
        seeds.add("safetensors", len(header).to_bytes(8, "little") + header.encode() + data)
    # compare: dtype a, dtype b, rule, flags, rank, dims, then both tensors' bytes.
    import struct
    seeds.add("compare", bytes([1, 1, 0, 0, 2, 2, 2]) + struct.pack("<4f", 1, 2, float("nan"), 0)
              + struct.pack("<4f", 1, 2.001, float("nan"), -0.0))
    seeds.add("compare", bytes([2, 3, 1, 0x35, 1, 3]) + bytes.fromhex("003c00fc007e")
              + bytes.fromhex("803f0080c07f"))
    seeds.add("compare", bytes([7, 12, 2, 0x13, 2, 1, 2]) + struct.pack(">2q", -2**63, 5)
              + bytes([1, 0]))
    node = pathlib.Path("/usr/share/libonnx-testdata/data/node")
    if node.is_dir():
        pbs = sorted(node.glob("test_*/test_data_set_0/output_0.pb"))[:200]
        seeds.add_all("onnx_tensor", [p.read_bytes() for p in pbs])
        # Sequences and optionals (behind a kind byte: 0 = unknown, 2 = sequence, 3 = optional)
        # and the small models that type them.
        for test, kind in [("test_loop13_seq", 2), ("test_sequence_insert_at_back", 2),
                           ("test_identity_opt", 3), ("test_optional_has_element_empty", 3)]:
            d = node / test
            if d.is_dir():
                for p in sorted((d / "test_data_set_0").glob("*.pb")):
                    seeds.add("onnx_tensor", bytes([kind]) + p.read_bytes())
                    seeds.add("onnx_tensor", bytes([0]) + p.read_bytes())
                seeds.add("onnx_tensor", (d / "model.onnx").read_bytes())


def tar_bytes(members, gzip=False) -> bytes:
    """A tar (pax) of (name, data) members; data None is a folder, ("sym", t) / ("hard", t)
    a symbolic / hard link."""
    import io
    import tarfile
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz" if gzip else "w", format=tarfile.PAX_FORMAT) as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.mtime = 1700000000
            if data is None:
                info.type = tarfile.DIRTYPE
                t.addfile(info)
            elif isinstance(data, tuple):
                info.type = tarfile.SYMTYPE if data[0] == "sym" else tarfile.LNKTYPE
                info.linkname = data[1]
                t.addfile(info)
            else:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def image_seeds(seeds) -> None:
    """Small docker-archives and OCI archives: whiteouts, an opaque folder, links, gzip."""
    import hashlib
    lower = tar_bytes([("etc/", None), ("etc/os-release", b"ID=debian\n"), ("usr/lib/libx.so.1", b"\x7fELF" + bytes(600)),
                       ("lib", ("sym", "usr/lib")), ("opt/a/b", b"b"), ("tmp/x", b"x")])
    upper = tar_bytes([("tmp/.wh.x", b""), ("opt/a/.wh..wh..opq", b""), ("opt/a/c", b"c"),
                       ("usr/lib/libx.so", ("hard", "usr/lib/libx.so.1")),
                       ("usr/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA",
                        b"Name: six\nVersion: 1.16.0\n")])
    for layers in ([lower, upper], [lower, tar_bytes([("a", b"1")], gzip=True)]):
        diff_ids = ["sha256:" + hashlib.sha256(l).hexdigest() for l in layers]
        config = json.dumps({"architecture": "amd64", "os": "linux",
                             "config": {"Env": ["PATH=/usr/bin"]},
                             "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
        cid = hashlib.sha256(config).hexdigest()
        names = [f"l{i}/layer.tar" for i in range(len(layers))]
        manifest = json.dumps([{"Config": f"{cid}.json", "RepoTags": ["x:1"], "Layers": names}]).encode()
        seeds.add("image_archive", tar_bytes([(f"{cid}.json", config)] + list(zip(names, layers)) +
                                             [("manifest.json", manifest)]))
        blobs = {}
        def blob(b):
            d = hashlib.sha256(b).hexdigest()
            blobs[f"blobs/sha256/{d}"] = b
            return {"digest": f"sha256:{d}", "size": len(b)}
        m = json.dumps({"schemaVersion": 2, "config": blob(config),
                        "layers": [blob(l) for l in layers]}).encode()
        index = json.dumps({"schemaVersion": 2, "manifests": [dict(blob(m), annotations={
            "org.opencontainers.image.ref.name": "x:1"})]}).encode()
        seeds.add("image_archive", tar_bytes([("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'),
                                              ("index.json", index)] + list(blobs.items())))
        seeds.add("image_archive", config)
        seeds.add("image_archive", manifest)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True, type=pathlib.Path)
    ap.add_argument("--out", required=True, type=pathlib.Path)
    args = ap.parse_args()
    root = args.root
    data = root / "tests" / "data"
    if args.out.exists():
        shutil.rmtree(args.out)
    seeds = Seeds(args.out)

    pep440 = json.loads((data / "pep440" / "vectors.json").read_text())
    seeds.add_all("version", [v["input"] for v in pep440["versions"]])
    seeds.add_all("version", [v[0] for v in pep440["ordering"]])
    seeds.add_all("specifier", [s["input"] for s in pep440["specifiers"]])

    pep508 = json.loads((data / "pep508" / "vectors.json").read_text())
    seeds.add_all("requirement", [r["input"] for r in pep508["requirements"]])
    seeds.add_all("marker", [m["input"] for m in pep508["markers"]])

    metadata = json.loads((data / "metadata" / "vectors.json").read_text())
    seeds.add_all("metadata", [m["input"] for m in metadata["metadata"]])
    seeds.add_all("metadata", [bytes.fromhex(u["hex"]) for u in metadata["utf8"]])
    seeds.add_all("requires_txt", [r["input"] for r in metadata["requires"]])
    seeds.add_all("wheel", [w["input"] for w in metadata["wheel"]])

    envs = sorted((data / "envs").rglob("*"))
    for path in envs:
        if not path.is_file():
            continue
        name = path.name
        if name in ("METADATA", "PKG-INFO"):
            seeds.add("metadata", path.read_bytes())
        elif name == "requires.txt":
            seeds.add("requires_txt", path.read_bytes())
        elif name == "WHEEL":
            seeds.add("wheel", path.read_bytes())
        elif name == "RECORD":
            seeds.add("record", path.read_bytes()[:65536])
        elif name.endswith(".py"):
            seeds.add("python_literals", path.read_bytes())
    seeds.add("python_literals", "build_info = OrderedDict([('cuda_version', '12.4'), "
                                 "('cuda_compute_capabilities', ['sm_80', 'compute_90'])])\n")
    seeds.add("python_literals", "x = {'a': (1, [2.5, None, True], \"\"\"s\"\"\")}\n")

    for path in sorted((data / "elf").iterdir()):
        if path.suffix in (".so", ".o"):
            blob = path.read_bytes()
            seeds.add("elf_file", blob)
            section = elf_section(blob, b".nv_fatbin")
            if section:
                seeds.add("fatbin", section[:8192])

    for text in [
        "#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 19\n#define CUDNN_PATCHLEVEL 0\n"
        "#define CUDNN_VERSION (CUDNN_MAJOR * 10000 + CUDNN_MINOR * 100 + CUDNN_PATCHLEVEL)\n",
        "#define NCCL_MAJOR 2\n#define NCCL_MINOR 28\n#define NCCL_PATCH 9\n#define NCCL_SUFFIX \"\"\n",
        "#define CUDART_VERSION 12040\n",
        "#define CUDA_VERSION 13000\n",
        "#define CUBLAS_VER_MAJOR 13\n#define CUBLAS_VER_MINOR 1\n#define CUBLAS_VER_PATCH 0\n"
        "#define CUBLAS_VER_BUILD 3\n",
        '{"cuda": {"name": "CUDA SDK", "version": "12.4.1"}, "libcublas": {"version": "12.4.5.8"}}',
        "# comment\ninclude /etc/ld.so.conf.d/*.conf\n/usr/local/cuda/lib64\nhwcap 0 nosegneg\n",
    ]:
        seeds.add("cuda_headers", text)
    cache = pathlib.Path("/etc/ld.so.cache")
    if cache.is_file():
        seeds.add("cuda_headers", cache.read_bytes()[:65536])

    for_each = ["once", "framework", "device", "framework_device", "framework_pair",
                "framework_library"]
    for path in sorted((root / "data" / "kb").glob("*.toml")):
        text = path.read_bytes()
        seeds.add("kb_toml", text[:65536])
        for rule in tomllib.loads(text.decode()).get("rule", []):
            prefix = bytes([for_each.index(rule.get("for_each", "once"))])
            seeds.add("kb_expression", prefix + rule["when"].encode() + b"\0" +
                      rule.get("title", "").encode())

    for path in sorted((root / "examples").glob("*/mlstack.toml")):
        seeds.add("spec", path.read_bytes()[:65536])
    for text in [
        b'[target]\npython = "3.12"\ngpus = ["H100"]\n[frameworks]\ntorch = ">=2.4"\n'
        b'jax = ""\n[memory]\nfractions = { torch = 0.5, jax = 0.5 }\n',
        b'[target]\npython = "3.9"\nbase = "tensorflow/tensorflow:2.9.1-gpu"\nmin_driver = "418"\n'
        b'[frameworks]\ntorch = { version = "==1.12.1", variant = "cu116" }\n',
    ]:
        seeds.add("spec", text)

    for path in sorted((root / "tests" / "cli").glob("check-*/fs/*")):
        if path.suffix == ".json":
            seeds.add("pip_report", path.read_bytes())
        elif path.suffix == ".toml":
            seeds.add("pylock", path.read_bytes())
    seeds.add("pip_report", '{"version": "1", "install": [{"download_info": {"url": '
                            '"https://h/a-1.0-py3-none-any.whl"}, "metadata": {"name": "a", '
                            '"version": "1.0", "requires_dist": ["b>=1; extra == \'x\'", '
                            '"c"]}}], "environment": {"python_version": "3.11"}}')
    seeds.add("pylock", 'lock-version = "1.0"\ncreated-by = "x"\nrequires-python = ">=3.9"\n'
                        'environments = ["sys_platform == \'linux\'"]\n[[packages]]\n'
                        'name = "a"\nversion = "1"\nmarker = "os_name == \'posix\'"\n'
                        'dependencies = [{name = "b"}]\n'
                        'wheels = [{url = "https://h/a-1-cp311-cp311-win_amd64.whl"}]\n')

    for path in sorted((data / "nvml").glob("*.json")):
        doc = json.loads(path.read_text())
        proc = doc.get("files", {}).get("/proc/driver/nvidia/version", "")
        seeds.add("nvml", b"\0" + proc.encode() + b"\0" + nvml_answers(doc))
        seeds.add("nvml", b"x0,1\0" + proc.encode() + b"\0" + nvml_answers(doc))

    tensor_seeds(seeds)
    image_seeds(seeds)

    for target, n in sorted(seeds.counts.items()):
        print(f"{target}: {n} seeds")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
