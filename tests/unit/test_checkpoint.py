"""checkpoint.pt: the writer the train step uses and the reader every later step uses."""

import pytest
import torch

from proxy_attention.checkpoint import REQUIRED_KEYS, load_classifier, save_classifier
from proxy_attention.models import create_classifier
from tests.helpers.checkpoints import reference_model, save_checkpoint


def test_a_saved_classifier_reads_back_with_its_weights_and_metadata(tmp_path):
    torch.manual_seed(4)
    model = create_classifier("test_efficientnet", 3, image_size=16)
    path = tmp_path / "run" / "checkpoint.pt"
    meta = {"arch": "test_efficientnet", "num_classes": 3, "image_size": 16}
    save_classifier(path, model, **meta, classes=["a", "b", "c"], run_id="d/m/aug~basic/seed~0")
    assert [p.name for p in path.parent.iterdir()] == ["checkpoint.pt"]  # no temporary left
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
