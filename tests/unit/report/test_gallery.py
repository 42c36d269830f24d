"""The augmentation gallery is drawn from the registry: every entry, the same four images, the
mixes' partners and label weights."""

import numpy as np

from proxy_attention import layout
from proxy_attention.augment import AUGMENTATIONS
from proxy_attention.report.gallery import augmented_row, gallery_images, write_gallery
from tests.conftest import square_images


def four_images():
    images, labels = zip(*[(i, y) for i, y, _ in square_images(4, size=16, classes=4)], strict=True)
    return np.stack(images), np.array(labels)


def test_every_registry_entry_draws_its_row_of_four():
    images, labels = four_images()
    for name in [*AUGMENTATIONS, "randaugment+gridmask+cutmix"]:
        shown, captions = augmented_row(name, images, labels, 4)
        assert shown.shape == (4, 3, 16, 16) and len(captions) == 4, name
        assert float(shown.min()) >= 0 and float(shown.max()) <= 1.0 + 1e-6, name


def test_a_mix_names_each_partner_and_its_label_weights():
    images, labels = four_images()
    shown, captions = augmented_row("mixup", images, labels, 4)
    assert captions[0].startswith("partner 4\n") and captions[1].startswith("partner 1\n")
    weights = [float(part.split(":")[1]) for part in captions[1].split("\n")[1].split(", ")]
    assert abs(sum(weights) - 1) < 0.02 and "c0:" in captions[1] and "c1:" in captions[1]
    assert augmented_row("gridmask", images, labels, 4)[1] == ["", "", "", ""]


def test_four_images_of_different_classes_are_chosen():
    labels = np.array([0, 0, 1, 1, 2, 0, 3, 3])
    assert gallery_images(np.zeros((8, 4, 4, 3)), labels).tolist() == [0, 2, 4, 6]
    assert gallery_images(np.zeros((4, 4, 4, 3)), np.zeros(4, int)).tolist() == [0, 1, 2, 3]


def test_the_gallery_is_a_figure_per_page_and_the_tex_including_them(toy_dataset, tmp_path):
    prepared, _ = toy_dataset
    names = [*AUGMENTATIONS, "randaugment+cutmix"]
    tex = tmp_path / "thesis" / "generated" / "gallery.tex"
    figures = tmp_path / "thesis" / "generated" / "gallery"
    write_gallery(prepared, names, tex, figures)
    written = sorted(str(p.relative_to(tmp_path)) for p in figures.iterdir())
    expected = [p.removeprefix("thesis/") for p in layout.gallery_figures(names)]
    assert written == sorted(f"thesis/{p}" for p in expected)
    text = tex.read_text()
    pages = len(layout.gallery_pages(names))
    assert pages == 4 and text.count("\\begin{figure}") == pages
    assert "\\includegraphics[width=\\linewidth]{generated/gallery/augmentations-4.pdf}" in text
    assert "same four training images of \\texttt{prepared} (page 4 of 4;" in text
    assert "\t" not in text
