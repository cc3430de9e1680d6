"""Writes Tests/TorchTests/Fixtures/tensorboard.json: what TensorBoard's and PyTorch's own code
produce for the pieces of an event file that SummaryWriter.swift writes by hand.

- crc32c: CRC-32C and masked CRC-32C of a few byte strings (tensorboard's crc32c).
- histograms: PyTorch's make_histogram (add_histogram's default "tensorflow" bins) on fixed
  values; the Swift side compares fields with a tolerance (numpy sums pairwise).
- records: whole TFRecord-framed Event protobufs (tensorboard's protos and RecordWriter) for a
  scalar, a histogram and an image summary; the histogram values are multiples of 1/64, so
  every sum is exact and the Swift bytes must match exactly.

Run from the package root:  pip install tensorboard; python3 Tools/golden/tensorboard_golden.py
"""

import io
import json
import os

import numpy as np
import torch
from tensorboard.compat.proto.event_pb2 import Event
from tensorboard.compat.proto.summary_pb2 import Summary
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import crc32c, masked_crc32c
from tensorboard.summary.writer.record_writer import RecordWriter
from torch.utils.tensorboard.summary import histogram

# PyTorch's SummaryWriter default bins (writer.py).
v = 1e-12
buckets, neg_buckets = [], []
while v < 1e20:
    buckets.append(v)
    neg_buckets.append(-v)
    v *= 1.1
default_bins = neg_buckets[::-1] + [0] + buckets

crc_cases = [b"", b"123456789", bytes(32), b"\xff" * 32, bytes(range(32)), bytes(range(31, -1, -1)),
             b"\x18\x00\x00\x00\x00\x00\x00\x00", bytes(range(256)) * 3 + b"tail"]
crc = [{"hex": c.hex(), "crc": crc32c(c), "masked": masked_crc32c(c)} for c in crc_cases]

torch.manual_seed(50)
histogram_cases = {
    "randn": (torch.randn(300) * 0.1).tolist(),
    "mixed": [0.0, 0.0, 1e-13, -1e-13, 2.5, -7.0, 3e20, 1e-12, -1e-12, 0.001],
    "constant": [0.5] * 5,
    "zeros": [0.0] * 4,
}
histograms = []
for name, values in histogram_cases.items():
    h = histogram(name, np.array(values, dtype=np.float64), default_bins).value[0].histo
    histograms.append({"name": name, "values": values, "min": h.min, "max": h.max, "num": h.num, "sum": h.sum,
                       "sum_squares": h.sum_squares, "bucket_limit": list(h.bucket_limit), "bucket": list(h.bucket)})


def record(event):
    out = io.BytesIO()
    RecordWriter(out).write(event.SerializeToString())
    return out.getvalue().hex()


dyadic = [k / 64 for k in (-40, -3, -3, 0, 1, 5, 17, 64, 90)]
records = [
    {"kind": "scalar", "tag": "loss", "value": 0.25, "step": 3, "walltime": 1700000000.25,
     "record": record(Event(wall_time=1700000000.25, step=3,
                            summary=Summary(value=[Summary.Value(tag="loss", simple_value=0.25)])))},
    {"kind": "histogram", "tag": "fc.bias", "values": dyadic, "step": 2, "walltime": 1700000001.5,
     "record": record(Event(wall_time=1700000001.5, step=2,
                            summary=histogram("fc.bias", np.array(dyadic), default_bins)))},
    {"kind": "image", "tag": "test images", "png_hex": b"\x89PNG not really".hex(), "width": 3, "height": 2,
     "channels": 3, "step": 1, "walltime": 1700000002.75,
     "record": record(Event(wall_time=1700000002.75, step=1, summary=Summary(value=[Summary.Value(
         tag="test images", image=Summary.Image(height=2, width=3, colorspace=3,
                                                encoded_image_string=b"\x89PNG not really"))])))},
]

path = os.path.join("Tests", "TorchTests", "Fixtures", "tensorboard.json")
with open(path, "w") as f:
    json.dump({"crc32c": crc, "histograms": histograms, "records": records}, f, indent=1)
    f.write("\n")
print("wrote", path)
