#!/usr/bin/env python3
"""Checks of deploy/kubernetes, run by k8s_manifests_test.py with the validator's venv.

1. Every manifest (*.yaml but the kustomization) parses, without duplicate keys, and each of
   its resources validates against the strict Kubernetes JSON schemas kubernetes-validate
   bundles (unknown fields are errors) for the oldest and the newest version it has; the
   NodeFeatureRule, a CRD that no kept package carries the schema of, against
   nodefeaturerule.schema.json, written from NFD's API reference (see its description), and
   the per-operator value counts that reference states.
2. The kustomization lists exactly the namespaced manifests.
3. The security posture README.md describes (no API access, read-only root, no capabilities,
   the only host write access in the publish container, limits, GPU node selection, NVML
   without a GPU request, expiry longer than the period).
4. Broken manifests are caught: an unknown field, a wrong type, a missing required field, a
   duplicate key, an unknown NFD operator, `Exists` with a value.
5. The NodeFeatureRule's mlstack.io/... inputs are labels `mlstack doctor --format nfd` really
   writes (when the mlstack given on the command line has --format nfd).
Usage: k8s_check.py [MLSTACK_BINARY]
"""
import copy
import json
import pathlib
import subprocess
import sys
import unittest

import jsonschema
import kubernetes_validate.utils as kv
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "kubernetes"
NFR_SCHEMA = json.loads((pathlib.Path(__file__).parent / "nodefeaturerule.schema.json").read_text())
MLSTACK = pathlib.Path(sys.argv.pop(1)) if len(sys.argv) > 1 else None
VERSIONS = [kv.all_versions()[0], kv.all_versions()[-1]]


class UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a mapping with the same key twice (PyYAML keeps the last)."""


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load(text: str):
    return [d for d in yaml.load_all(text, Loader=UniqueKeyLoader) if d is not None]


def manifests():
    """{file name: [documents]} for every manifest but the kustomization."""
    return {p.name: load(p.read_text()) for p in sorted(K8S.glob("*.yaml"))
            if p.name != "kustomization.yaml"}


def nfd_value_errors(rule_doc) -> list:
    """MatchExpression.value counts, as NFD's API reference states them."""
    errors = []
    none = {"Exists", "DoesNotExist", "IsTrue", "IsFalse"}
    one = {"Gt", "Ge", "Lt", "Le"}
    two = {"GtLt", "GeLe"}

    def check(where, expr):
        n = len(expr.get("value", []))
        op = expr["op"]
        if op in none and n != 0:
            errors.append(f"{where}: {op} takes no value, has {n}")
        elif op in one and n != 1:
            errors.append(f"{where}: {op} takes one value, has {n}")
        elif op in two and n != 2:
            errors.append(f"{where}: {op} takes two values, has {n}")
        elif op not in none | one | two and n == 0:
            errors.append(f"{where}: {op} needs at least one value")
        if "type" in expr and op not in one | two:
            errors.append(f"{where}: type is for Gt, Ge, Lt, Le, GtLt, GeLe only")

    for rule in rule_doc["spec"]["rules"]:
        terms = list(rule.get("matchFeatures", []))
        for any_elem in rule.get("matchAny", []):
            terms += any_elem["matchFeatures"]
        for term in terms:
            for name, expr in term.get("matchExpressions", {}).items():
                check(f"rule {rule['name']!r} {term['feature']} {name}", expr)
            if "matchName" in term:
                check(f"rule {rule['name']!r} {term['feature']} matchName", term["matchName"])
    return errors


def validate(doc) -> list:
    """Error messages for one resource (empty: valid)."""
    if doc.get("apiVersion") == "nfd.k8s-sigs.io/v1alpha1":
        v = jsonschema.Draft202012Validator(NFR_SCHEMA)
        errors = [f"{'.'.join(map(str, e.path))}: {e.message}" for e in v.iter_errors(doc)]
        return errors or nfd_value_errors(doc)
    errors = []
    for version in VERSIONS:
        try:
            kv.validate(doc, version, strict=True)
        except kv.ValidationError as e:
            errors.append(f"k8s {version}: {'.'.join(map(str, e.path))}: {e.message}")
        except kv.SchemaNotFoundError as e:
            errors.append(f"k8s {version}: {e.message}")
    return errors


class Schemas(unittest.TestCase):
    def test_every_resource_validates(self):
        found = manifests()
        kinds = sorted(d["kind"] for docs in found.values() for d in docs)
        self.assertEqual(kinds, ["DaemonSet", "Namespace", "NodeFeatureRule", "ServiceAccount"])
        for name, docs in found.items():
            for doc in docs:
                with self.subTest(file=name, kind=doc["kind"]):
                    self.assertEqual(validate(doc), [])
        print(f"validated {len(kinds)} resources against Kubernetes {' and '.join(VERSIONS)} "
              f"(kubernetes-validate, strict) and NFD's NodeFeatureRule rules", file=sys.stderr)

    def test_kustomization(self):
        k = load((K8S / "kustomization.yaml").read_text())[0]
        self.assertEqual(k["apiVersion"], "kustomize.config.k8s.io/v1beta1")
        self.assertEqual(k["kind"], "Kustomization")
        self.assertLessEqual(set(k), {"apiVersion", "kind", "namespace", "resources", "images",
                                      "labels", "commonAnnotations", "patches"})
        namespaced = sorted(n for n, docs in manifests().items()
                            if all(d["kind"] != "NodeFeatureRule" for d in docs))
        self.assertEqual(sorted(k["resources"]), namespaced)
        ns = [d for d in load((K8S / "namespace.yaml").read_text()) if d["kind"] == "Namespace"]
        self.assertEqual(k["namespace"], ns[0]["metadata"]["name"])
        for name in k["resources"]:
            for doc in load((K8S / name).read_text()):
                if doc["kind"] != "Namespace":
                    self.assertEqual(doc["metadata"].get("namespace"), k["namespace"], name)


class Posture(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        docs = [d for ds in manifests().values() for d in ds]
        cls.docs = docs
        cls.ds = next(d for d in docs if d["kind"] == "DaemonSet")
        cls.pod = cls.ds["spec"]["template"]["spec"]
        cls.containers = {c["name"]: c for c in cls.pod["containers"]}
        cls.volumes = {v["name"]: v for v in cls.pod["volumes"]}

    def env(self, container):
        return {e["name"]: e.get("value") for e in self.containers[container].get("env", [])}

    def test_no_api_access(self):
        kinds = {d["kind"] for d in self.docs}
        self.assertFalse(kinds & {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"})
        sa = next(d for d in self.docs if d["kind"] == "ServiceAccount")
        self.assertIs(sa["automountServiceAccountToken"], False)
        self.assertEqual(self.pod["serviceAccountName"], sa["metadata"]["name"])
        self.assertIs(self.pod["automountServiceAccountToken"], False)
        for key in ("hostNetwork", "hostPID", "hostIPC"):
            self.assertIs(self.pod.get(key, False), False, key)

    def test_containers_locked_down(self):
        self.assertEqual(set(self.containers), {"doctor", "publish"})
        for name, c in self.containers.items():
            with self.subTest(container=name):
                sc = c["securityContext"]
                self.assertIs(sc["readOnlyRootFilesystem"], True)
                self.assertIs(sc["allowPrivilegeEscalation"], False)
                self.assertIs(sc.get("privileged", False), False)
                self.assertEqual(sc["capabilities"], {"drop": ["ALL"]})
                for kind in ("requests", "limits"):
                    self.assertEqual(set(c["resources"][kind]), {"cpu", "memory"}, kind)
                self.assertNotIn("nvidia.com/gpu", json.dumps(c["resources"]))
        self.assertEqual(self.pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault")
        doctor = self.containers["doctor"]["securityContext"]
        self.assertIs(doctor["runAsNonRoot"], True)
        self.assertNotEqual(doctor["runAsUser"], 0)

    def test_host_mounts(self):
        host = {n for n, v in self.volumes.items() if "hostPath" in v}
        self.assertEqual(self.volumes["host-root"]["hostPath"]["path"], "/")
        self.assertEqual(self.volumes["nfd-features"]["hostPath"]["path"],
                         "/etc/kubernetes/node-feature-discovery/features.d")
        for name, c in self.containers.items():
            for m in c["volumeMounts"]:
                if m["name"] not in host:
                    continue
                writable = not m.get("readOnly", False)
                with self.subTest(container=name, mount=m["name"]):
                    if m["name"] == "host-root":
                        self.assertEqual(name, "doctor")
                        self.assertIs(m["readOnly"], True)
                        self.assertIn(m.get("mountPropagation", "None"),
                                      ("None", "HostToContainer"))
                    else:
                        # the only host folders anyone writes: the two output folders
                        self.assertEqual(name, "publish")
                        self.assertIn(m["name"], ("nfd-features", "textfile"))
                        self.assertTrue(writable)

    def test_gpu_nodes_and_nvml(self):
        terms = self.pod["affinity"]["nodeAffinity"][
            "requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
        keys = {e["key"] for t in terms for e in t["matchExpressions"]}
        self.assertEqual(keys, {"nvidia.com/gpu.present", "nvidia.com/gpu.count",
                                "feature.node.kubernetes.io/pci-10de.present"})
        self.assertTrue(all(len(t["matchExpressions"]) == 1 for t in terms))  # ORed, not ANDed
        env = self.env("doctor")
        self.assertEqual(env["NVIDIA_DRIVER_CAPABILITIES"], "utility")
        self.assertEqual(env["NVIDIA_VISIBLE_DEVICES"], "all")

    def test_period_and_outputs(self):
        env = self.env("doctor")
        self.assertGreater(int(env["MLSTACK_EXPIRY"]), int(env["MLSTACK_INTERVAL"]))
        self.assertEqual(env["MLSTACK_ROOT"], "/host")
        out = {m["mountPath"]: m for m in self.containers["doctor"]["volumeMounts"]}
        self.assertIn(env["MLSTACK_OUT"], out)
        pub = self.env("publish")
        self.assertEqual(pub["MLSTACK_OUT"], env["MLSTACK_OUT"])
        mounts = {m["mountPath"]: m["name"] for m in self.containers["publish"]["volumeMounts"]}
        for var, volume in (("MLSTACK_NFD_FILE", "nfd-features"),
                            ("MLSTACK_PROM_FILE", "textfile")):
            self.assertEqual(mounts[str(pathlib.PurePosixPath(pub[var]).parent)], volume)
        self.assertTrue(pub["MLSTACK_PROM_FILE"].endswith(".prom"))  # the collector's suffix

    def test_image_has_the_script(self):
        dockerfile = (K8S / "Dockerfile").read_text()
        for c in self.containers.values():
            self.assertEqual(c["command"][0], "/usr/local/bin/mlstack-node-check")
            self.assertIn(c["command"][1], ("doctor", "publish"))
        self.assertIn("COPY deploy/kubernetes/mlstack-node-check /usr/local/bin/mlstack-node-check",
                      dockerfile)


class Negative(unittest.TestCase):
    """A broken manifest must fail: each mutation of a valid resource gives an error."""

    @classmethod
    def setUpClass(cls):
        docs = [d for ds in manifests().values() for d in ds]
        cls.ds = next(d for d in docs if d["kind"] == "DaemonSet")
        cls.rule = next(d for d in docs if d["kind"] == "NodeFeatureRule")

    def broken(self, doc, mutate, expect):
        d = copy.deepcopy(doc)
        mutate(d)
        errors = validate(d)
        self.assertTrue(errors, "no error for a broken manifest")
        self.assertTrue(any(expect in e for e in errors), errors)

    def test_daemonset_mutations(self):
        def pod(d):
            return d["spec"]["template"]["spec"]
        cases = {
            "unknown field": (lambda d: pod(d)["containers"][0]["securityContext"].update(
                readOnlyRootFileSystem=True), "readOnlyRootFileSystem"),
            "wrong type": (lambda d: pod(d).update(terminationGracePeriodSeconds="10"),
                           "is not of type 'integer'"),
            "missing selector": (lambda d: d["spec"].pop("selector"), "'selector' is a required"),
            "bad mountPropagation type": (lambda d: pod(d)["containers"][0]["volumeMounts"][0]
                                          .update(mountPropagation=["HostToContainer"]),
                                          "is not of type 'string'"),
            "unknown kind": (lambda d: d.update(kind="DaemonSett"), "Couldn't find schema"),
        }
        for name, (mutate, expect) in cases.items():
            with self.subTest(case=name):
                self.broken(self.ds, mutate, expect)

    def test_nodefeaturerule_mutations(self):
        def expr(d):
            return d["spec"]["rules"][0]["matchFeatures"][0]["matchExpressions"]
        cases = {
            "unknown op": (lambda d: next(iter(expr(d).values())).update(op="Equals"),
                           "'Equals' is not one of"),
            "Exists with a value": (lambda d: expr(d)["mlstack.io/torch.cuda"].update(
                value=["13"]), "Exists takes no value"),
            "In without values": (lambda d: next(iter(expr(d).values())).pop("value"),
                                  "needs at least one value"),
            "typo": (lambda d: d["spec"]["rules"][0].update(
                matchFeature=d["spec"]["rules"][0].pop("matchFeatures")), "matchFeature"),
            "no feature": (lambda d: d["spec"]["rules"][0]["matchFeatures"][0].pop("feature"),
                           "'feature' is a required"),
        }
        for name, (mutate, expect) in cases.items():
            with self.subTest(case=name):
                self.broken(self.rule, mutate, expect)

    def test_duplicate_key(self):
        text = (K8S / "serviceaccount.yaml").read_text() + "automountServiceAccountToken: true\n"
        with self.assertRaisesRegex(yaml.constructor.ConstructorError, "duplicate key"):
            load(text)


class RuleInputs(unittest.TestCase):
    def test_rule_reads_labels_mlstack_writes(self):
        if MLSTACK is None:
            self.skipTest("no mlstack binary given")
        helptext = subprocess.run([str(MLSTACK), "doctor", "--help"], capture_output=True,
                                  text=True).stdout
        if "--expiry" not in helptext:
            self.skipTest("this mlstack has no `doctor --format nfd` yet")
        site = ROOT / "tests" / "data" / "envs" / "cuda13-current" / "site-packages"
        r = subprocess.run([str(MLSTACK), "doctor", "--format", "nfd", "--site", str(site),
                            "--python-version", "3.12", "--no-gpu"],
                           capture_output=True, text=True)
        self.assertIn(r.returncode, (0, 1), r.stderr)
        written = {line.split("=", 1)[0] for line in r.stdout.splitlines()
                   if line and not line.startswith("#")}
        rule = next(d for ds in manifests().values() for d in ds if d["kind"] == "NodeFeatureRule")
        used = set()
        for rl in rule["spec"]["rules"]:
            for term in rl.get("matchFeatures", []):
                self.assertEqual(term["feature"], "local.label")
                used |= set(term.get("matchExpressions", {}))
        self.assertTrue(used)
        self.assertLessEqual(used, written, f"labels the rule reads that mlstack does not write: "
                                            f"{sorted(used - written)}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
