#!/usr/bin/python3
"""PyTorch as a benchmark peer (Debian's python3-torch 1.13 with libopenblas0-pthread), and the
exporter of the transformer layers at other sequence lengths.

usage:
  torch_peer.py export LAYER SEQ OUT.onnx    the layer as the shared models export it: post-LN
                                             nn.TransformerEncoderLayer(D, H, FF, gelu,
                                             batch_first), input [1, SEQ, D], opset 17, random
                                             weights stored as initializers; gpt2 is pre-LN
                                             (norm_first) under a causal mask (-inf above the
                                             diagonal, a buffer: an initializer in the file)
  torch_peer.py time MODEL THREADS RUNS      median ms of RUNS runs after warm-up, inference
                                             mode, THREADS intra-op threads; prints
                                             "torch: median X ms"

LAYER is bert_base (768, 12 heads, 3072), bert_large (1024, 16, 4096) or gpt2 (768, 12, 3072). MODEL is LAYER:SEQ,
resnet50 or mobilenet_v2 (torchvision, input [1, 3, 224, 224]). The timing does not depend on
the weights' values, so each runtime may hold its own random weights.
"""
import statistics
import sys
import time

import torch

LAYERS = {"bert_base": (768, 12, 3072), "bert_large": (1024, 16, 4096), "gpt2": (768, 12, 3072)}
CAUSAL = {"gpt2"}


class CausalLayer(torch.nn.Module):
    """A layer whose attention sees, from each position, only the positions up to it."""

    def __init__(self, inner, seq):
        super().__init__()
        self.inner = inner
        self.register_buffer("mask", torch.triu(torch.full((seq, seq), float("-inf")), diagonal=1))

    def forward(self, x):
        return self.inner(x, src_mask=self.mask)


def layer(name, seq):
    d, heads, ff = LAYERS[name]
    torch.manual_seed(0)
    inner = torch.nn.TransformerEncoderLayer(d, heads, ff, activation="gelu", batch_first=True,
                                             norm_first=name in CAUSAL)
    return (CausalLayer(inner, seq) if name in CAUSAL else inner).eval()


def model_and_input(spec):
    if ":" in spec:
        name, seq = spec.split(":")
        return layer(name, int(seq)), torch.rand(1, int(seq), LAYERS[name][0]) * 2 - 1
    import torchvision
    net = {"resnet50": torchvision.models.resnet50, "mobilenet_v2": torchvision.models.mobilenet_v2}[spec]()
    return net.eval(), torch.rand(1, 3, 224, 224) * 2 - 1


def export(name, seq, out):
    x = torch.rand(1, seq, LAYERS[name][0]) * 2 - 1
    torch.onnx.export(layer(name, seq), x, out, opset_version=17, input_names=["input"], output_names=["output"])
    print(f"wrote {out}")


def timed(spec, threads, runs):
    torch.set_num_threads(threads)
    net, x = model_and_input(spec)
    times = []
    with torch.inference_mode():
        for run in range(runs + 2):
            start = time.perf_counter()
            net(x)
            if run >= 2:
                times.append((time.perf_counter() - start) * 1e3)
    print(f"torch: min {min(times):.3f} ms, median {statistics.median(times):.3f} ms")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "export":
        export(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) == 5 and sys.argv[1] == "time":
        timed(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(__doc__)
