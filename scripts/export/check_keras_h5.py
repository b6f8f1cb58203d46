#!/usr/bin/env python3
"""Checks a Keras .h5 exported by Transfer Lab without TensorFlow or Keras.

Reads the file with h5py as tf.keras 2.x `load_model` does
(keras/saving/legacy/hdf5_format.py: `model_config`, then
`load_weights_from_hdf5_group`), rebuilds the network from `model_config` in
numpy (float64), and, given inputs and expected probabilities, recomputes the
predictions and compares them.

    check_keras_h5.py model.h5 [--metadata metadata.json] [--cases cases.json] [--tolerance 1e-4]

cases.json holds either `inputs` (the network's input, after preprocessing)
or `pixels` (RGB uint8 after the resize; preprocessed here by the rule in
metadata.json), each as {"shape": [n, h, w, 3], "values": [...]}, and
`expected`: one row of probabilities per image.

Where Keras itself can be imported (tf.keras 2.x, or Keras 3 with any
backend: KERAS_BACKEND=jax, torch or numpy), the file is also loaded with
`keras.models.load_model` and its predictions compared the same way.

Exit status 0 when everything checks out, 1 otherwise (each problem printed).
Needs python3 with h5py and numpy (Debian: apt-get install python3-h5py).
"""

import argparse
import json
import math
import sys

import h5py
import numpy as np

LAYERS = ("InputLayer", "Conv2D", "MaxPooling2D", "Flatten", "Dense", "Dropout")
ACTIVATIONS = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "softmax": lambda x: np.exp(x - x.max(-1, keepdims=True)) / np.exp(x - x.max(-1, keepdims=True)).sum(-1, keepdims=True),
}


class Problems(list):
    def check(self, ok, message):
        if not ok:
            self.append(message)
        return ok


def text(value):
    """An HDF5 string attribute as h5py returns it (bytes, numpy bytes or str)."""
    return value.decode("utf-8") if hasattr(value, "decode") else str(value)


def strings(group, name):
    """A string-list attribute, also when Keras split it into name0, name1, … (as its loader reads it)."""
    if name in group.attrs:
        return [text(v) for v in group.attrs[name]]
    chunks, k = [], 0
    while f"{name}{k}" in group.attrs:
        chunks.extend(text(v) for v in group.attrs[f"{name}{k}"])
        k += 1
    return chunks


def read_model(path, problems):
    """The model's layer configs and, per layer with weights, its arrays, read as Keras 2 reads them."""
    with h5py.File(path, "r") as f:
        for attr in ("model_config", "keras_version", "backend"):
            problems.check(attr in f.attrs, f"root attribute {attr!r} missing")
        if "model_config" not in f.attrs:
            return None, None
        version = text(f.attrs.get("keras_version", b"1"))
        # Keras converts the weights of files it takes for Keras 1 (keras_version '1' or none).
        problems.check(version != "1", "keras_version is '1': Keras would convert the kernels as Keras 1's")
        config = json.loads(text(f.attrs["model_config"]))
        problems.check(config.get("class_name") in ("Sequential", "Functional", "Model"), f"model_config class {config.get('class_name')!r}")
        layers = config["config"]["layers"]
        if not problems.check("model_weights" in f, "no 'model_weights' group"):
            return layers, None
        g = f["model_weights"]
        for attr in ("layer_names", "backend", "keras_version"):
            problems.check(attr in g.attrs or f"{attr}0" in g.attrs, f"model_weights attribute {attr!r} missing")
        layer_names = strings(g, "layer_names")
        # Keras's `model.layers`, as its loader matches them: every layer but the InputLayer.
        problems.check(layer_names == [l["config"]["name"] for l in layers if l["class_name"] != "InputLayer"], "model_weights/layer_names differ from model_config's layers")
        weights = {}
        for name in layer_names:
            if not problems.check(name in g, f"no group model_weights/{name}"):
                continue
            names = strings(g[name], "weight_names")
            if names:
                # Keras reads g[layer][weight_name], so a name 'dense/kernel:0' is the dataset model_weights/dense/dense/kernel:0.
                weights[name] = [np.asarray(g[name][n]) for n in names]
                problems.check(all(w.dtype == np.float32 for w in weights[name]), f"{name}: weights are not float32")
                problems.check(names == [f"{name}/kernel:0", f"{name}/bias:0"], f"{name}: weight_names {names}")
        return layers, weights


def conv2d(x, kernel, bias, cfg):
    kh, kw, cin, cout = kernel.shape
    sh, sw = cfg.get("strides", (1, 1))
    n, h, w, c = x.shape
    if cfg.get("padding", "valid") == "same":
        oh, ow = math.ceil(h / sh), math.ceil(w / sw)
        ph, pw = max((oh - 1) * sh + kh - h, 0), max((ow - 1) * sw + kw - w, 0)
        x = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    else:
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    cols = np.empty((n, oh, ow, kh, kw, cin))
    for i in range(kh):
        for j in range(kw):
            cols[:, :, :, i, j, :] = x[:, i : i + sh * oh : sh, j : j + sw * ow : sw, :]
    out = cols.reshape(n * oh * ow, kh * kw * cin) @ kernel.reshape(kh * kw * cin, cout).astype(np.float64)
    return out.reshape(n, oh, ow, cout) + bias


def max_pool(x, cfg):
    ph, pw = cfg["pool_size"]
    sh, sw = cfg.get("strides") or (ph, pw)
    n, h, w, c = x.shape
    oh, ow = (h - ph) // sh + 1, (w - pw) // sw + 1
    out = np.full((n, oh, ow, c), -np.inf)
    for i in range(ph):
        for j in range(pw):
            out = np.maximum(out, x[:, i : i + sh * oh : sh, j : j + sw * ow : sw, :])
    return out


def check_config(layers, weights, input_shape, problems):
    """Every layer stock Keras and supported here, and every weight the shape the config implies."""
    shape = list(input_shape)
    for layer in layers:
        kind, cfg, name = layer["class_name"], layer["config"], layer["config"]["name"]
        if not problems.check(kind in LAYERS, f"{name}: {kind} is not a layer this check (or stock Keras) knows"):
            continue
        problems.check(cfg.get("data_format", "channels_last") == "channels_last", f"{name}: data_format {cfg.get('data_format')}")
        problems.check(cfg.get("activation", "linear") in ACTIVATIONS, f"{name}: activation {cfg.get('activation')!r}")
        if kind == "Conv2D":
            problems.check(tuple(cfg.get("dilation_rate", (1, 1))) == (1, 1), f"{name}: dilation")
            expected = [(*cfg["kernel_size"], shape[-1], cfg["filters"]), (cfg["filters"],)]
            sh, sw = cfg.get("strides", (1, 1))
            if cfg.get("padding") == "same":
                shape = [math.ceil(shape[0] / sh), math.ceil(shape[1] / sw), cfg["filters"]]
            else:
                shape = [(shape[0] - cfg["kernel_size"][0]) // sh + 1, (shape[1] - cfg["kernel_size"][1]) // sw + 1, cfg["filters"]]
        elif kind == "MaxPooling2D":
            problems.check(cfg.get("padding", "valid") == "valid", f"{name}: padding {cfg.get('padding')}")
            ph, pw = cfg["pool_size"]
            sh, sw = cfg.get("strides") or (ph, pw)
            shape = [(shape[0] - ph) // sh + 1, (shape[1] - pw) // sw + 1, shape[2]]
            expected = None
        elif kind == "Flatten":
            shape, expected = [int(np.prod(shape))], None
        elif kind == "Dense":
            expected = [(shape[-1], cfg["units"]), (cfg["units"],)]
            shape = [cfg["units"]]
        else:
            expected = None
        got = [tuple(w.shape) for w in (weights or {}).get(name, [])]
        problems.check(got == (expected or []), f"{name}: weights {got}, the config implies {expected or []}")


def predict(layers, weights, x):
    for layer in layers:
        kind, cfg = layer["class_name"], layer["config"]
        if kind == "Conv2D":
            kernel, bias = weights[cfg["name"]]
            x = ACTIVATIONS[cfg.get("activation", "linear")](conv2d(x, kernel, bias, cfg))
        elif kind == "MaxPooling2D":
            x = max_pool(x, cfg)
        elif kind == "Flatten":
            x = x.reshape(x.shape[0], -1)
        elif kind == "Dense":
            kernel, bias = weights[cfg["name"]]
            x = ACTIVATIONS[cfg.get("activation", "linear")](x @ kernel.astype(np.float64) + bias)
        # Dropout is the identity at inference; InputLayer was dropped.
    return x


def prepared(pixels, metadata):
    """metadata.json's rule: x = (RGB pixels in channelOrder − mean) × scale."""
    rule = metadata["preprocessing"]
    x = pixels.astype(np.float64)
    if rule["channelOrder"] == "BGR":
        x = x[..., ::-1]
    return (x - np.asarray(rule["mean"], dtype=np.float64)) * rule["scale"]


def compare(who, ours, expected, tolerance, problems):
    if problems.check(ours.shape == expected.shape, f"{who}: predictions of shape {ours.shape}, expected {expected.shape}"):
        worst = float(np.abs(ours - expected).max())
        print(f"{who}: {len(ours)} images, max |Δp| {worst:.2e} against the expected probabilities (tolerance {tolerance:g})")
        problems.check(worst <= tolerance, f"{who}: predictions differ by up to {worst:.3g}")


def importable_keras():
    """Keras, where it can be imported (Keras 3 without TensorFlow needs KERAS_BACKEND); else None, said why."""
    try:
        import keras

        return keras
    except Exception as err:  # ImportError, or Keras 3 failing to import its default TensorFlow backend
        print(f"Keras: not importable here ({type(err).__name__}: {err}); checked without it")
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="keras/model.h5 from an exported zip")
    parser.add_argument("--metadata", help="metadata.json from the same zip (needed for `pixels` cases)")
    parser.add_argument("--cases", help="inputs or pixels, and expected probabilities (JSON)")
    parser.add_argument("--tolerance", type=float, default=1e-4, help="largest |difference| allowed in a probability")
    args = parser.parse_args()

    problems = Problems()
    layers, weights = read_model(args.model, problems)
    if layers is None:
        print("\n".join(problems))
        return 1
    first = layers[0]["config"]
    input_shape = (first.get("batch_input_shape") or first.get("batch_shape"))[1:]
    layers = [l for l in layers if l["class_name"] != "InputLayer"]
    check_config(layers, weights, input_shape, problems)
    kinds = [l["class_name"] for l in layers]
    params = sum(w.size for ws in (weights or {}).values() for w in ws)
    print(
        f"{args.model}: {len(layers)} layers ("
        + ", ".join(f"{k}×{kinds.count(k)}" for k in dict.fromkeys(kinds))
        + f"), input {tuple(input_shape)}, {sum(len(w) for w in (weights or {}).values())} weight arrays, {params:,} parameters"
    )

    if args.cases and not problems:
        with open(args.cases) as f:
            cases = json.load(f)
        if "pixels" in cases:
            if not args.metadata:
                print("`pixels` cases need --metadata")
                return 1
            with open(args.metadata) as f:
                x = prepared(np.asarray(cases["pixels"]["values"], dtype=np.uint8).reshape(cases["pixels"]["shape"]), json.load(f))
        else:
            x = np.asarray(cases["inputs"]["values"], dtype=np.float64).reshape(cases["inputs"]["shape"])
        expected = np.asarray(cases["expected"], dtype=np.float64)
        compare("numpy, from model_config", predict(layers, weights, x), expected, args.tolerance, problems)
        keras = importable_keras()
        if keras:
            who = f"Keras {keras.__version__} ({keras.backend.backend()}), load_model"
            try:
                model = keras.models.load_model(args.model, compile=False)
            except Exception as err:
                problems.append(f"{who}: could not load it ({type(err).__name__}: {err})")
            else:
                compare(who, np.asarray(model.predict(x.astype(np.float32), verbose=0)), expected, args.tolerance, problems)

    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
