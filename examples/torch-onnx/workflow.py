#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""PyTorch -> ONNX -> ONNX Runtime (and TensorFlow via onnx2tf), outputs saved as each writes them.

Builds a small classifier (conv + batch norm + conv + group norm + MLP with layer norm; seeded
weights and batch-norm statistics, eval mode), a fixed seeded input batch, and writes into OUT:

  model.onnx                             torch.onnx.export (the dynamo exporter: onnxscript)
  torch/outputs.safetensors              PyTorch float32 outputs (safetensors.torch.save_file)
  torch/input.npy, torch/logits.npy      the input batch and the logits alone (numpy.save)
  torch-bf16/outputs.safetensors         the same model run in bfloat16 (a lossy run on purpose)
  ort/test_data_set_0/output_K.pb        ONNX Runtime (CPUExecutionProvider) outputs, an ONNX
                                         test data set (onnx.numpy_helper.from_array)
  ort/logits.npy                         ORT's logits alone (numpy.save)
  tf/outputs.npz                         TensorFlow (the SavedModel onnx2tf wrote), numpy.savez,
                                         only with --tf when onnx2tf is importable
  tflite/outputs.npz                     TFLite (onnx2tf's float32 .tflite, LiteRT), with --tf
  tflite-fp16/outputs.npz                TFLite, onnx2tf's float16-weight .tflite, with --tf
  versions.json                          the versions of everything used

The three outputs are named `logits`, `probs` and `features` in every file, so compare pairs
them by name. Usage: workflow.py OUT [--tf]
"""
import argparse
import copy
import json
import os
import pathlib
import sys

OUTPUTS = ["logits", "probs", "features"]


def build_model():
    import torch
    from torch import nn

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
            self.bn1 = nn.BatchNorm2d(16)
            self.conv2 = nn.Conv2d(16, 32, 3, stride=2, padding=1)
            self.gn2 = nn.GroupNorm(4, 32)
            self.pool = nn.AdaptiveAvgPool2d(4)
            self.fc1 = nn.Linear(32 * 4 * 4, 128)
            self.ln = nn.LayerNorm(128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = torch.relu(self.bn1(self.conv1(x)))
            x = nn.functional.gelu(self.gn2(self.conv2(x)))
            x = self.pool(x).flatten(1)
            features = self.ln(nn.functional.gelu(self.fc1(x)))
            logits = self.fc2(features)
            return logits, torch.softmax(logits, dim=-1), features

    torch.manual_seed(11)
    model = Classifier()
    with torch.no_grad():  # batch-norm statistics that are not the identity
        model.bn1.running_mean.uniform_(-0.5, 0.5)
        model.bn1.running_var.uniform_(0.5, 2.0)
        model.bn1.weight.uniform_(0.5, 1.5)
        model.bn1.bias.uniform_(-0.2, 0.2)
    return model.eval()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=pathlib.Path)
    ap.add_argument("--tf", action="store_true", help="also convert with onnx2tf and run in TF")
    args = ap.parse_args()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)

    import numpy as np
    import onnx
    import onnxruntime as ort
    import torch
    from onnx import numpy_helper
    from safetensors.torch import save_file

    torch.set_num_threads(2)
    versions = {"python": sys.version.split()[0], "torch": torch.__version__,
                "onnx": onnx.__version__, "onnxruntime": ort.__version__,
                "numpy": np.__version__}
    model = build_model()
    x = torch.randn(8, 3, 32, 32, generator=torch.Generator().manual_seed(2026))

    # PyTorch, float32 and bfloat16.
    with torch.no_grad():
        ref = dict(zip(OUTPUTS, model(x)))
        # A copy: rounding the weights to bfloat16 and back would change the model exported.
        lossy = copy.deepcopy(model).to(torch.bfloat16)
        bf16 = dict(zip(OUTPUTS, lossy(x.to(torch.bfloat16))))
    (out / "torch").mkdir(exist_ok=True)
    (out / "torch-bf16").mkdir(exist_ok=True)
    save_file({k: v.contiguous() for k, v in ref.items()}, str(out / "torch/outputs.safetensors"))
    save_file({k: v.contiguous() for k, v in bf16.items()},
              str(out / "torch-bf16/outputs.safetensors"))
    np.save(out / "torch/input.npy", x.numpy())
    np.save(out / "torch/logits.npy", ref["logits"].numpy())

    # Export to ONNX.
    onnx_path = out / "model.onnx"
    torch.onnx.export(model, (x,), str(onnx_path), input_names=["image"], output_names=OUTPUTS,
                      dynamo=True, verbose=False)
    exported = onnx.load(str(onnx_path))
    versions["onnx_opset"] = max(o.version for o in exported.opset_import if o.domain == "")

    # ONNX Runtime on the CPU.
    so = ort.SessionOptions()
    so.intra_op_num_threads = 2
    session = ort.InferenceSession(str(onnx_path), so, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    results = session.run(None, {session.get_inputs()[0].name: x.numpy()})
    data_set = out / "ort/test_data_set_0"
    data_set.mkdir(parents=True, exist_ok=True)
    for k, (name, r) in enumerate(zip(names, results)):
        (data_set / f"output_{k}.pb").write_bytes(
            numpy_helper.from_array(r, name).SerializeToString())
    np.save(out / "ort/logits.npy", results[names.index("logits")])

    # TensorFlow: onnx2tf converts model.onnx to a SavedModel, run by TensorFlow.
    if args.tf:
        versions.update(run_tf(out, onnx_path, x.numpy()))

    (out / "versions.json").write_text(json.dumps(versions, indent=1) + "\n")
    print("versions:", ", ".join(f"{k} {v}" for k, v in versions.items()))
    return 0


def run_tf(out: pathlib.Path, onnx_path: pathlib.Path, x) -> dict:
    import numpy as np
    import onnx2tf
    import tensorflow as tf

    import onnx

    saved = out / "tf/saved_model"
    # onnx2tf reads each node's output shape from the model's value_info (onnxsim adds them
    # when installed): give it a copy with ONNX's own shape inference applied.
    inferred = out / "tf/model_shapes.onnx"
    inferred.parent.mkdir(exist_ok=True)
    onnx.save(onnx.shape_inference.infer_shapes(onnx.load(str(onnx_path)), strict_mode=True),
              str(inferred))
    # Keep the ONNX NCHW layout at the boundaries (onnx2tf transposes to NHWC inside).
    onnx2tf.convert(input_onnx_file_path=str(inferred), output_folder_path=str(saved),
                    keep_ncw_or_nchw_or_ncdhw_input_names=["image"],
                    output_signaturedefs=True, non_verbose=True)
    loaded = tf.saved_model.load(str(saved))
    fn = loaded.signatures["serving_default"]
    arg = list(fn.structured_input_signature[1].keys())[0]
    result = fn(**{arg: tf.constant(x)})
    # The SavedModel's outputs are `output_K`, K the ONNX graph output's position.
    arrays = {name: result[f"output_{k}"].numpy() for k, name in enumerate(OUTPUTS)}
    np.savez(out / "tf/outputs.npz", **arrays)

    # The TFLite files onnx2tf wrote beside it (float32, and float16 weights computed in
    # float32), run by LiteRT's interpreter (XNNPACK on the CPU); they keep the ONNX names.
    from ai_edge_litert.interpreter import Interpreter
    for variant, folder in (("float32", "tflite"), ("float16", "tflite-fp16")):
        interpreter = Interpreter(model_path=str(saved / f"model_shapes_{variant}.tflite"))
        runner = interpreter.get_signature_runner()
        result = runner(image=x)
        (out / folder).mkdir(exist_ok=True)
        np.savez(out / folder / "outputs.npz", **{name: result[name] for name in OUTPUTS})
    return {"tensorflow": tf.__version__, "onnx2tf": onnx2tf.__version__}


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.exit(main())
