"""Published training and inference throughput of named GPUs, for GPU-hours without a GPU.

The figures are timm's own benchmark tables (github.com/huggingface/pytorch-image-models, folder
``results``): samples per second of a full training step (forward, backward, optimizer) and of
an inference forward pass, with AMP and channels-last (NHWC) memory, at 224 px. Channels-last is
the table to use because the project trains channels-last (train/loop.py). timm publishes
training tables for the RTX 3090 only; it has no A100 or H100 tables, so no other GPU is named.
Each model's figure is the row of that model's exact timm name (not a tv_/gluon_ twin).
"""

from __future__ import annotations

from dataclasses import dataclass

REFERENCE_IMAGE_SIZE = 224  # the image size of every figure below


@dataclass(frozen=True)
class ReferenceGPU:
    """One GPU's published throughput: model -> samples/s at 224 px, and where it came from."""

    name: str
    train_images_per_second: dict[str, float]
    eval_images_per_second: dict[str, float]
    source: str


# timm results/benchmark-train-amp-nhwc-pt112-cu113-rtx3090.csv (column train_samples_per_sec;
# PyTorch 1.12, CUDA 11.3, batch size up to 512 as timm's benchmark picks it) and
# results/benchmark-infer-amp-nhwc-pt112-cu113-rtx3090.csv (column infer_samples_per_sec).
RTX_3090 = ReferenceGPU(
    name="RTX 3090",
    train_images_per_second={
        "mobilenetv3_small_100": 8035.08,
        "resnet18": 3481.78,
        "efficientnet_b0": 1751.72,
        "resnet50": 1218.01,
        "vgg16": 546.06,
        "vit_base_patch16_224": 392.99,
    },
    eval_images_per_second={
        "mobilenetv3_small_100": 34913.55,
        "resnet18": 11023.6,
        "efficientnet_b0": 8015.36,
        "resnet50": 3676.35,
        "vgg16": 1690.51,
        "vit_base_patch16_224": 1133.45,
    },
    source=(
        "timm benchmark tables benchmark-{train,infer}-amp-nhwc-pt112-cu113-rtx3090.csv "
        "(huggingface/pytorch-image-models, results/; PyTorch 1.12, CUDA 11.3, AMP, "
        "channels-last, 224 px)"
    ),
)

# Keyed by the name `estimate --gpu` takes.
REFERENCE_GPUS: dict[str, ReferenceGPU] = {"rtx3090": RTX_3090}


def images_per_second(rate_at_224: float, image_size: int) -> float:
    """A 224 px rate at another size: the work of these networks grows with the pixel count, so
    the rate scales by (224 / size)^2. An approximation: a ViT's attention grows faster, and
    small images leave a GPU idle behind the data loader, so below 224 px it flatters the GPU."""
    return rate_at_224 * (REFERENCE_IMAGE_SIZE / image_size) ** 2


def reference_timing(gpu: ReferenceGPU, model: str, image_size: int) -> dict[str, float] | None:
    """Seconds per image of a training step and of an evaluation pass on ``gpu``, in the form
    estimate's calibration gives them; None for a model the tables do not list."""
    if model not in gpu.train_images_per_second or model not in gpu.eval_images_per_second:
        return None
    train = images_per_second(gpu.train_images_per_second[model], image_size)
    evaluate = images_per_second(gpu.eval_images_per_second[model], image_size)
    return {"train_seconds_per_image": 1 / train, "eval_seconds_per_image": 1 / evaluate}
