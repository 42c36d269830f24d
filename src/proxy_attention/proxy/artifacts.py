"""Per-step proxy artifacts: lossless arrays, a contact sheet for people, a JSON record."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image

from proxy_attention.npy_stream import NpyAppender

INDICES = "indices.npy"  # dataset indices the proxies replace, in row order
IMAGES = "images.npy"  # uint8 (k, H, W, 3): exactly what training reads
MAPS = "maps.npy"  # float32 (k, H, W) saliency maps in [0, 1]
TARGETS = "targets.npy"  # class each map explains
ORIGINALS = "originals.npy"  # uint8 (k, H, W, 3): the version each proxy was computed from
CONTACT_SHEET = "contact_sheet.png"
RECORD = "record.json"


class StepWriter:
    """Streams one proxy step's arrays to disk inside a (temporary) directory.

    Rows are appended, never held: memory stays at one batch whatever the step's size. The
    first ``sheet_rows`` triples are kept for the contact sheet.
    """

    def __init__(
        self, directory: Path, count: int, height: int, width: int, sheet_rows: int
    ) -> None:
        self.directory = directory
        image_shape = (height, width, 3)
        self.images = NpyAppender(directory / IMAGES, np.uint8, image_shape, count)
        self.originals = NpyAppender(directory / ORIGINALS, np.uint8, image_shape, count)
        self.maps = NpyAppender(directory / MAPS, np.float32, (height, width), count)
        self.targets = NpyAppender(directory / TARGETS, np.int64, (), count)
        self.indices = NpyAppender(directory / INDICES, np.int64, (), count)
        self.sheet_rows = sheet_rows
        self._sheet: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, indices, originals, images, maps, targets) -> None:
        for writer, rows in (
            (self.indices, indices),
            (self.originals, originals),
            (self.images, images),
            (self.maps, maps),
            (self.targets, targets),
        ):
            writer.append(np.asarray(rows))
        room = self.sheet_rows - sum(len(o) for o, _, _ in self._sheet)
        if room > 0:
            self._sheet.append((originals[:room], maps[:room], images[:room]))

    def close(self) -> None:
        for writer in (self.images, self.originals, self.maps, self.targets, self.indices):
            writer.close()
        if self._sheet:
            originals, maps, images = (
                np.concatenate(part) for part in zip(*self._sheet, strict=True)
            )
            contact_sheet(originals, maps, images).save(self.directory / CONTACT_SHEET)


def contact_sheet(originals: np.ndarray, maps: np.ndarray, proxies: np.ndarray) -> Image.Image:
    """One row per image: original | saliency map (colour-mapped) | proxy image."""
    colormap = matplotlib.colormaps["inferno"]
    heat = (colormap(np.asarray(maps))[..., :3] * 255).round().astype(np.uint8)
    rows = [
        np.concatenate([o, h, p], axis=1) for o, h, p in zip(originals, heat, proxies, strict=True)
    ]
    grid = np.concatenate(rows, axis=0)
    scale = max(1, 96 // originals.shape[1])  # keep tiny images visible
    image = Image.fromarray(grid)
    return image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)


def load_step(step_dir: str | Path) -> dict[str, np.ndarray]:
    step_dir = Path(step_dir)
    return {
        "indices": np.load(step_dir / INDICES),
        "images": np.load(step_dir / IMAGES, mmap_mode="r"),
        "originals": np.load(step_dir / ORIGINALS, mmap_mode="r"),
        "maps": np.load(step_dir / MAPS, mmap_mode="r"),
        "targets": np.load(step_dir / TARGETS),
    }
