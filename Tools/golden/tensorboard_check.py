"""Reads a SwiftTorch run's TensorBoard event file with TensorBoard's own loader and prints
what it finds: scalars, histograms and images. Not run by the tests (they parse the file in
Swift); run it by hand after `swifttorch train --output RUN`:

    pip install tensorboard pillow        # pillow only for the image check
    python3 Tools/golden/tensorboard_check.py RUN

Exits non-zero when the run lacks the scalars, histograms or image SwiftTorch writes.
"""
import io
import sys

from tensorboard.backend.event_processing import event_accumulator


def main(run_dir):
    acc = event_accumulator.EventAccumulator(
        run_dir,
        size_guidance={event_accumulator.SCALARS: 0, event_accumulator.HISTOGRAMS: 0,
                       event_accumulator.IMAGES: 0, event_accumulator.TENSORS: 0})
    acc.Reload()
    tags = acc.Tags()
    print("file version:", acc.file_version)
    print("tags:", {k: v for k, v in tags.items() if v})
    problems = []

    for tag in ("loss", "accuracy/train", "accuracy/test"):
        if tag not in tags["scalars"]:
            problems.append(f"scalar {tag} missing")
            continue
        print(f"scalar {tag}:", [(e.step, round(e.value, 4)) for e in acc.Scalars(tag)])

    for tag in sorted(tags["histograms"]):
        events = acc.Histograms(tag)
        last = events[-1].histogram_value
        print(f"histogram {tag}: steps {[e.step for e in events]}, last: num={last.num:.0f} "
              f"min={last.min:.4f} max={last.max:.4f} sum={last.sum:.4f} sum_squares={last.sum_squares:.4f} "
              f"buckets={len(last.bucket)} counted={sum(last.bucket):.0f}")
        if abs(sum(last.bucket) - last.num) > 0.5:
            problems.append(f"histogram {tag}: bucket counts {sum(last.bucket)} != num {last.num}")
    if not tags["histograms"]:
        problems.append("no histograms")

    for tag in tags["images"]:
        for e in acc.Images(tag):
            line = f"image {tag!r} step {e.step}: {e.width}x{e.height}, {len(e.encoded_image_string)} PNG bytes"
            try:
                from PIL import Image
                img = Image.open(io.BytesIO(e.encoded_image_string))
                img.load()
                line += f", PIL decodes {img.size[0]}x{img.size[1]} mode {img.mode}"
                if img.size != (e.width, e.height):
                    problems.append(f"image {tag}: PNG is {img.size}, summary says {(e.width, e.height)}")
            except ImportError:
                line += " (pillow not installed: PNG not decoded)"
            print(line)
    if not tags["images"]:
        problems.append("no images")

    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
