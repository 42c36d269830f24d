"""checkpoint.pt: the writer the train step uses and the reader every later step uses."""

import pytest
import torch

from proxy_attention.atomic import read_json
from proxy_attention.checkpoint import REQUIRED_KEYS, load_classifier, save_classifier
from proxy_attention.errors import UserError
from proxy_attention.models import create_classifier
from tests.helpers.checkpoints import reference_model, save_checkpoint


def test_a_saved_classifier_reads_back_with_its_weights_and_metadata(tmp_path):
    torch.manual_seed(4)
    model = create_classifier("test_efficientnet", 3, image_size=16)
    path = tmp_path / "run" / "checkpoint.pt"
    meta = {"arch": "test_efficientnet", "num_classes": 3, "image_size": 16}
    save_classifier(path, model, **meta, classes=["a", "b", "c"], run_id="d/m/aug~basic/seed~0")
    # no temporary left; the record of its sha256 and architecture beside it
    assert sorted(p.name for p in path.parent.iterdir()) == ["checkpoint.json", "checkpoint.pt"]
    assert tuple(torch.load(path, weights_only=True)) == REQUIRED_KEYS
    loaded, read_meta = load_classifier(path)
    assert read_meta == {**meta, "classes": ["a", "b", "c"], "run_id": "d/m/aug~basic/seed~0"}
    assert not loaded.training
    images = torch.rand(2, 3, 16, 16)
    with torch.no_grad():
        expected = model.eval()(images)
        torch.testing.assert_close(loaded(images), expected, rtol=0, atol=0)
        torch.testing.assert_close(reference_model(path)(images), expected, rtol=0, atol=0)


class Unpicklable:
    def __reduce__(self):
        raise RuntimeError("cannot be saved")


def test_a_failed_write_leaves_no_checkpoint(tmp_path):
    with pytest.raises(RuntimeError, match="cannot be saved"):
        save_checkpoint(tmp_path / "checkpoint.pt", Unpicklable(), seed=0)
    assert list(tmp_path.iterdir()) == []


def _flip(path, count: int = 64) -> None:
    """Flip ``count`` bytes in the middle of the file, where the weights lie."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    for i in range(middle, middle + count):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def test_flipped_bytes_stop_the_load_in_one_line(tmp_path):
    path = save_checkpoint(tmp_path / "run" / "checkpoint.pt", "d/m/aug~basic/seed~0", seed=0)
    record = read_json(tmp_path / "run" / "checkpoint.json")
    assert record["arch"] == "test_efficientnet" and len(record["sha256"]) == 64
    _flip(path)
    with pytest.raises(UserError, match="sha256 .* is not the .* its run recorded") as info:
        load_classifier(path)
    assert "\n" not in str(info.value)


def test_a_checkpoint_of_another_run_is_refused(tmp_path):
    ours = save_checkpoint(tmp_path / "ours" / "checkpoint.pt", "d/test_efficientnet/x", seed=0)
    torch.manual_seed(1)
    other = create_classifier("test_vit", 3, image_size=16)
    theirs = tmp_path / "theirs" / "checkpoint.pt"
    meta = {"num_classes": 3, "image_size": 16, "classes": ["a", "b", "c"]}
    save_classifier(theirs, other, arch="test_vit", run_id="d/test_vit/x", **meta)
    expected = {"arch": "test_efficientnet", "run_id": "d/test_efficientnet/x"}
    ours.write_bytes(theirs.read_bytes())  # copied over ours: the bytes are not the recorded ones
    with pytest.raises(UserError, match="changed or replaced"):
        load_classifier(ours, expected=expected)
    # copied with its record: a checkpoint of another architecture, named as such
    (ours.parent / "checkpoint.json").write_bytes((theirs.parent / "checkpoint.json").read_bytes())
    with pytest.raises(UserError, match="checkpoint of arch 'test_vit', where 'test_efficientnet'"):
        load_classifier(ours, expected=expected)


def test_a_checkpoint_without_its_record_is_refused(tmp_path):
    path = save_checkpoint(tmp_path / "checkpoint.pt", "d/m/aug~basic/seed~0", seed=0)
    (tmp_path / "checkpoint.json").unlink()
    with pytest.raises(UserError, match="no checkpoint.json beside it .* retrain the run"):
        load_classifier(path)
