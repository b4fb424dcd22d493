"""compare(): one model per augmentation setting, same seed, a result table and an overlay."""

from __future__ import annotations

import pytest

from augwidgets.training.experiment import DEFAULT_CONFIGS, ComparisonOutput, compare
from tests.training_data import digits_tree, iterators


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    return digits_tree(tmp_path_factory.mktemp("digits"), image_size=16, per_class=8)


def test_compare_trains_each_config_and_reports_a_table(digits, capsys):
    configs = {"none": {}, "flips": {"horizontal_flip": True, "vertical_flip": True}}
    result = compare(digits / "train", digits / "validation", configs, epochs=2, image_size=16,
                     batch_size=16)
    assert [row.name for row in result.rows] == ["none", "flips"]
    for row in result.rows:
        history = result.histories[row.name]
        assert len(history["val_accuracy"]) == 2 and len(history["accuracy"]) == 2
        assert row.best_val_accuracy == max(history["val_accuracy"])
        assert history["val_accuracy"][row.best_epoch - 1] == row.best_val_accuracy
        assert row.gap == pytest.approx(history["accuracy"][row.best_epoch - 1]
                                        - row.best_val_accuracy)
    lines = result.table().splitlines()
    assert lines[0].split()[:4] == ["config", "best", "val", "acc"]
    assert [line.split()[0] for line in lines[1:]] == ["none", "flips"]
    assert result.png[:4] == b"\x89PNG"
    assert repr(result).startswith("ComparisonResult(configs=[none, flips], best=")
    assert "<table>" in result._repr_html_()
    printed = capsys.readouterr().out
    assert "== none: no augmentation" in printed and "== flips:" in printed


def test_every_configuration_starts_from_the_same_weights(digits):
    import numpy as np

    from augwidgets.training.model import build_default_model

    initial = []

    def build(image_shape, num_classes, *, seed):
        model = build_default_model(image_shape, num_classes, seed=seed)
        initial.append([w.copy() for w in model.get_weights()])
        return model

    compare(digits / "train", digits / "validation", {"a": {}, "b": {"rotation_range": 5}},
            epochs=1, image_size=16, batch_size=16, verbose=False, build_model=build)
    assert len(initial) == 2
    assert all(np.array_equal(a, b) for a, b in zip(*initial, strict=True))


def test_compare_accepts_iterators_and_checks_arguments(digits):
    train, validation = iterators(digits, batch_size=16)
    result = compare(train, validation, {"none": {}}, epochs=1, verbose=False)
    assert len(result.histories["none"]["loss"]) == 1
    with pytest.raises(ValueError, match="Received: epochs=0"):
        compare(digits / "train", digits / "validation", epochs=0)
    with pytest.raises(ValueError, match="Received: directory="):
        compare(digits / "missing", digits / "validation")


def test_default_configs_include_a_heavy_setting_with_flips_and_large_rotations():
    assert set(DEFAULT_CONFIGS) == {"none", "light", "heavy"}
    heavy = DEFAULT_CONFIGS["heavy"]
    assert heavy["horizontal_flip"] and heavy["vertical_flip"] and heavy["rotation_range"] >= 90
    output = ComparisonOutput({})
    output.send(None)
    assert output.last_png[:4] == b"\x89PNG"


def test_compare_reports_per_class_accuracy_and_trains_on_a_balanced_subset(digits, capsys):
    result = compare(digits / "train", digits / "validation", {"none": {}}, epochs=1,
                     image_size=16, batch_size=16, per_class=3)
    assert "Found 30 images belonging to 10 classes." in capsys.readouterr().out
    row = result.rows[0]
    assert sorted(row.per_class_accuracy) == [str(d) for d in range(10)]
    assert sum(row.per_class_accuracy.values()) / 10 == pytest.approx(row.best_val_accuracy)
    lines = result.per_class_table().splitlines()
    assert lines[0].split() == ["config", *[str(d) for d in range(10)]]
    assert lines[1].startswith("none") and lines[1].count("*") == 1


def test_compare_exposes_what_each_configuration_got_wrong(digits):
    configs = {"none": {}, "flips": {"horizontal_flip": True, "vertical_flip": True}}
    result = compare(digits / "train", digits / "validation", configs, epochs=1,
                     image_size=16, batch_size=16, verbose=False)
    validation_images = sum(1 for _ in (digits / "validation").rglob("*.png"))
    for row in result.rows:
        interpretation = result.interpret(row.name)
        assert interpretation.confusion_matrix.sum() == validation_images
        assert dict(zip(interpretation.class_names, interpretation.recall.tolist(),
                        strict=True)) == row.per_class_accuracy
        assert interpretation.accuracy == pytest.approx(row.best_val_accuracy)
    with pytest.raises(ValueError, match="Received: name='heavy'"):
        result.interpret("heavy")
