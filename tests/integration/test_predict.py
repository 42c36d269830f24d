"""`proxy-attention predict`: a trained run classifies a folder of image files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from PIL import Image

from proxy_attention.cli import main
from proxy_attention.data.conversions import to_float
from proxy_attention.data.prepared import open_prepared
from proxy_attention.grid import RunSpec
from proxy_attention.inference import load_run, overlay, overlay_name
from proxy_attention.slices import train_slice
from proxy_attention.train.run import train_run


@pytest.fixture
def trained_run(params, toy_dataset, tmp_path):
    params["train"].update(batch_size=16, eval_batch_size=64, hflip=0.0, rotation=0.0)
    params["train"]["lr_schedule"]["max_lr"] = 0.01
    spec = RunSpec("toy", "test_efficientnet", "basic", (6,), seed=0)
    train_run(spec, train_slice(params), *toy_dataset, tmp_path / "run", threads=1)
    return tmp_path / "run"


def test_predicts_a_folder_like_the_model_on_prepared_arrays(trained_run, toy_dataset, tmp_path):
    data = open_prepared(toy_dataset[0])
    folder = tmp_path / "images"
    (folder / "nested").mkdir(parents=True)
    chosen = [0, 1, 2, 3, 4, 5]
    for i in chosen[:4]:  # lossless PNG at the run's size: the pixels the model saw
        Image.fromarray(np.asarray(data.images[i])).save(folder / f"img{i}.png")
    # Greyscale and RGBA files are converted to RGB on the way, as prepare does.
    grey = np.asarray(data.images[4])[..., 0]
    Image.fromarray(grey, "L").save(folder / "nested" / "grey4.png")
    rgba = np.dstack([np.asarray(data.images[5]), np.full((16, 16), 255, np.uint8)])
    Image.fromarray(rgba, "RGBA").save(folder / "rgba5.png")
    (folder / "broken.jpg").write_bytes(b"not a jpeg")

    out = tmp_path / "predictions.csv"
    code = predict(
        trained_run,
        folder,
        out,
        "--saliency-method",
        "gradcam",
        "--overlays",
        tmp_path / "overlays",
    )
    assert code == 0
    table = pd.read_csv(out)
    assert list(table.columns) == ["file", "label", "probability"]
    assert sorted(table["file"]) == sorted(
        ["img0.png", "img1.png", "img2.png", "img3.png", "nested/grey4.png", "rgba5.png"]
    )

    # Reference: the checkpoint's model on the same RGB arrays, without the file round trip.
    model, meta = load_run(trained_run, torch.device("cpu"))
    arrays = {f"img{i}.png": np.asarray(data.images[i]) for i in chosen[:4]}
    arrays["nested/grey4.png"] = np.repeat(grey[..., None], 3, axis=-1)
    arrays["rgba5.png"] = np.asarray(data.images[5])
    names = list(arrays)
    with torch.no_grad():
        probs = model(to_float(torch.from_numpy(np.stack([arrays[n] for n in names])))).softmax(1)
    expected = {
        n: (meta["classes"][int(p.argmax())], float(p.max()))
        for n, p in zip(names, probs, strict=True)
    }
    for row in table.itertuples():
        assert row.label == expected[row.file][0]
        assert row.probability == pytest.approx(expected[row.file][1], abs=1e-6)
    # The run learnt the toy classes (a bright square in a class corner): mostly right.
    truth = {f"img{i}.png": data.classes[int(data.labels[i])] for i in chosen[:4]}
    assert sum(table.set_index("file").loc[f, "label"] == c for f, c in truth.items()) >= 3

    overlays = sorted(
        p.relative_to(tmp_path / "overlays").as_posix()
        for p in (tmp_path / "overlays").rglob("*.png")
    )
    assert overlays == sorted(overlay_name(n) for n in table["file"])
    picture = np.asarray(Image.open(tmp_path / "overlays" / "img0_png.png"))
    assert picture.shape == (16, 16, 3) and not np.array_equal(picture, arrays["img0.png"])


def test_overlay_blends_half_image_half_heat():
    image = np.full((2, 2, 3), 200, np.uint8)
    zero_heat = overlay(image, np.zeros((2, 2), np.float32))
    # inferno(0) is about (0.4, 0.1, 3.5) in 0-255 RGB: half of 200 plus half of that, rounded.
    assert zero_heat[0, 0].tolist() == [100, 100, 102]


def test_missing_checkpoint_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "images").mkdir()
    code = predict(tmp_path / "nothing", tmp_path / "images", tmp_path / "p.csv")
    assert code == 2 and "no such checkpoint" in capsys.readouterr().err


def test_overlays_of_images_that_differ_only_in_extension_do_not_overwrite(tmp_path, trained_run):
    folder = tmp_path / "images"
    folder.mkdir()
    Image.new("RGB", (16, 16), (250, 10, 10)).save(folder / "a.png")
    Image.new("RGB", (16, 16), (10, 10, 250)).save(folder / "a.jpg", quality=95)
    code = predict(trained_run, folder, tmp_path / "p.csv", "--overlays", tmp_path / "overlays")
    assert code == 0
    written = sorted(p.name for p in (tmp_path / "overlays").iterdir())
    assert written == ["a_jpg.png", "a_png.png"]
    red = np.asarray(Image.open(tmp_path / "overlays" / "a_png.png")).astype(int)
    blue = np.asarray(Image.open(tmp_path / "overlays" / "a_jpg.png")).astype(int)
    assert red[..., 0].mean() > blue[..., 0].mean() and blue[..., 2].mean() > red[..., 2].mean()


def _one_image(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    Image.new("RGB", (16, 16), (250, 10, 10)).save(folder / "a.png")
    return folder


def test_a_checkpoint_with_flipped_bytes_stops_predict_in_one_line(tmp_path, trained_run, capsys):
    checkpoint = trained_run / "checkpoint.pt"
    data = bytearray(checkpoint.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    checkpoint.write_bytes(bytes(data))
    assert predict(trained_run, _one_image(tmp_path), tmp_path / "p.csv") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "changed or replaced; restore it or retrain the run" in err[0]
    assert not (tmp_path / "p.csv").exists()


def test_a_checkpoint_of_another_architecture_in_the_run_folder_is_refused(
    tmp_path, trained_run, capsys
):
    from proxy_attention.checkpoint import save_classifier
    from proxy_attention.models import create_classifier

    meta = {"num_classes": 3, "image_size": 16, "classes": ["a", "b", "c"]}
    other = create_classifier("test_vit", 3, image_size=16)
    # the other run's checkpoint and its record, placed in this run's folder
    save_classifier(trained_run / "checkpoint.pt", other, arch="test_vit", run_id="toy/v", **meta)
    assert predict(trained_run, _one_image(tmp_path), tmp_path / "p.csv") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "it belongs to another run" in err[0]


def predict(run_dir, images, out, *options) -> int:
    """``proxy-attention predict`` with a run folder, an image folder, a CSV and any options."""
    argv = ["predict", "--run-dir", run_dir, "--images", images, "--out", out, *options]
    return main([str(arg) for arg in argv])
