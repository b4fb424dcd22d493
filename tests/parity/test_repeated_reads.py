"""Reading one batch again draws anew, as legacy does; a seeded run stays reproducible.

TensorFlow's image-classification tutorial shows augmentation with
``[train_data_gen[0][0][0] for i in range(5)]``: five different augmentations of one image.
Each read of a batch draws from ``(seed, epoch, index, earlier reads of it)``, so the same
sequence of reads gives the same batches, whatever thread serves them.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PIL import Image

from augwidgets import ImageDataGenerator
from tests.conftest import write_tree

AUGMENT = dict(rescale=1 / 255, rotation_range=45, width_shift_range=0.2, zoom_range=0.2,
               horizontal_flip=True)


@pytest.fixture
def tree(tmp_path):
    layout = {name: [f"{name}{i}.png" for i in range(5)] for name in ("cats", "dogs")}
    return write_tree(tmp_path / "train", layout, size=(30, 34))


def _frame(tree):
    import pandas as pd

    files = sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*.png"))
    return pd.DataFrame({"filename": files, "class": [f.split("/")[0] for f in files]})


def _iterators(generator_class, tree, **kwargs):
    """The same data through flow_from_directory, flow_from_dataframe and flow."""
    generator = generator_class(**AUGMENT)
    options = dict(target_size=(20, 20), batch_size=4, **kwargs)
    arrays = np.stack([np.asarray(Image.open(p).convert("RGB"))
                       for p in sorted(tree.rglob("*.png"))]).astype("float32")
    return {
        "directory": generator.flow_from_directory(str(tree), **options),
        "dataframe": generator.flow_from_dataframe(_frame(tree), str(tree), **options),
        "array": generator.flow(arrays, np.arange(len(arrays)), batch_size=4,
                                **{k: v for k, v in kwargs.items() if k != "class_mode"}),
    }


def _distinct_first_images(iterator, reads: int = 5) -> int:
    return len({iterator[0][0][0].tobytes() for _ in range(reads)})


@pytest.mark.parametrize("kind", ["directory", "dataframe", "array"])
def test_repeated_reads_give_new_augmentations_like_legacy(legacy, tree, kind):
    np.random.seed(0)
    theirs = _iterators(legacy, tree, shuffle=False)[kind]
    ours = _iterators(ImageDataGenerator, tree, shuffle=False)[kind]
    assert _distinct_first_images(theirs) == 5
    assert _distinct_first_images(ours) == _distinct_first_images(theirs)
    # Still the same images and labels each time: only the draw changes.
    for _ in range(3):
        np.testing.assert_array_equal(ours[0][1], theirs[0][1])


@pytest.mark.parametrize("kind", ["directory", "dataframe", "array"])
def test_a_seeded_run_repeats_the_same_sequence_of_reads(tree, kind):
    reads = [0, 0, 1, 0, 2, 1, 0]

    def run():
        iterator = _iterators(ImageDataGenerator, tree, seed=4)[kind]
        batches = [iterator[i][0] for i in reads]
        iterator.on_epoch_end()
        return batches + [iterator[0][0], iterator[0][0]]

    first, second = run(), run()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    # Each read of batch 0 differed from the one before it.
    assert not np.array_equal(first[0], first[1]) and not np.array_equal(first[1], first[3])


def test_thread_order_does_not_change_a_seeded_epoch(tree):
    """Keras' workers ask for batches from several threads: each index's n-th read is the
    same batch whichever thread reads it, and whenever."""
    def read(order, threads):
        iterator = ImageDataGenerator(**AUGMENT).flow_from_directory(
            str(tree), target_size=(20, 20), batch_size=2, seed=3)
        with ThreadPoolExecutor(threads) as pool:
            batches = dict(zip(order, pool.map(lambda i: iterator[i][0], order)))
        return batches

    order = list(range(5))
    sequential = read(order, 1)
    shuffled = read(order[::-1][2:] + order[::-1][:2], 4)
    for index in order:
        np.testing.assert_array_equal(sequential[index], shuffled[index])


def test_first_read_of_each_batch_is_the_epoch_draw(tree):
    """A re-read changes only that batch: the others keep their first-read draw."""
    a = ImageDataGenerator(**AUGMENT).flow_from_directory(str(tree), target_size=(20, 20),
                                                          batch_size=4, seed=1)
    b = ImageDataGenerator(**AUGMENT).flow_from_directory(str(tree), target_size=(20, 20),
                                                          batch_size=4, seed=1)
    a[0], a[0], a[0]
    np.testing.assert_array_equal(a[1][0], b[1][0])
    np.testing.assert_array_equal(a[2][0], b[2][0])


def test_unseeded_iterators_draw_fresh_each_run(tree):
    a = ImageDataGenerator(**AUGMENT).flow_from_directory(str(tree), target_size=(20, 20))
    b = ImageDataGenerator(**AUGMENT).flow_from_directory(str(tree), target_size=(20, 20))
    assert not np.array_equal(a[0][0], b[0][0])


def test_without_augmentation_every_read_is_the_same(tree):
    iterator = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        str(tree), target_size=(20, 20), batch_size=4, shuffle=False)
    assert _distinct_first_images(iterator) == 1


def test_transform_sample_keeps_its_own_determinism(tree):
    iterator = ImageDataGenerator(**AUGMENT).flow_from_directory(
        str(tree), target_size=(20, 20), batch_size=4, seed=0)
    params = iterator.image_data_generator.get_random_transform(iterator.image_shape, seed=2)
    iterator[0], iterator[0]
    np.testing.assert_array_equal(iterator.transform_sample(1, params),
                                  iterator.transform_sample(1, params))


def test_repeated_reads_keep_substitute_labels(tmp_path):
    """A broken file's slot goes to the next good image with that image's label, on every
    read, and the file is reported once."""
    layout = {name: [f"{name}{i}.png" for i in range(3)] for name in ("a", "b")}
    root = write_tree(tmp_path / "t", layout, size=(16, 16))
    (root / "a" / "a1.png").write_bytes(b"not a png")
    iterator = ImageDataGenerator(rotation_range=30).flow_from_directory(
        str(root), target_size=(16, 16), batch_size=6, shuffle=False, class_mode="sparse")
    with pytest.warns(UserWarning):
        labels = [iterator[0][1].tolist() for _ in range(3)]
    assert labels == [[0, 0, 0, 1, 1, 1]] * 3  # a1's slot took a2, a class-0 image
    assert [name for name, _ in iterator.skipped] == ["a/a1.png"]
