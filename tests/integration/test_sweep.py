"""sweep(): one model per augmentation strength on a balanced subset, and per-class accuracy.

The configuration is small and fast (a few images per class, a few epochs); the tests check
structure and qualitative properties, never measured accuracies. The regime that shows the
whole curve is ``benchmarks/bench_sweep.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from augwidgets import datasets
from augwidgets.datasets.subset import balanced_subset
from augwidgets.tools.strength import strength_kwargs
from augwidgets.training.model import build_default_model
from augwidgets.training.sweep import SweepOutput, SweepResult, sweep

STRENGTHS = (0.0, 1.0, 6.0)


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    return datasets.digits(tmp_path_factory.mktemp("sweep") / "digits", image_size=16)


@pytest.fixture(scope="module")
def result(digits) -> SweepResult:
    initial.clear()
    return sweep(digits / "train", digits / "validation", strengths=STRENGTHS, per_class=10,
                 epochs=12, target_size=16, batch_size=8, seed=0, model=_recording_builder, verbose=False)


initial: list[list[np.ndarray]] = []


def _recording_builder(image_shape, num_classes, *, seed):
    model = build_default_model(image_shape, num_classes, seed=seed)
    initial.append([w.copy() for w in model.get_weights()])
    return model


def test_one_row_per_strength_with_the_shared_mapping(result):
    assert result.strengths == list(STRENGTHS)
    assert result.configs == {s: {**strength_kwargs(s), "fill_mode": "constant"} if s else {}
                              for s in STRENGTHS}
    for row in result.rows:
        history = result.histories[row.strength]
        assert len(history["val_accuracy"]) == 12
        assert row.best_val_accuracy == max(history["val_accuracy"])
        assert row.gap == pytest.approx(history["accuracy"][row.best_epoch - 1]
                                        - row.best_val_accuracy)
    assert result.best_strength in STRENGTHS
    assert result.row(result.best_strength).best_val_accuracy == max(
        r.best_val_accuracy for r in result.rows)


def test_every_strength_starts_from_the_same_weights(result):
    assert len(initial) == len(STRENGTHS)
    for weights in initial[1:]:
        assert all(np.array_equal(a, b) for a, b in zip(initial[0], weights, strict=True))


def test_strong_augmentation_makes_training_images_harder(result):
    none, strongest = result.row(0.0), result.row(STRENGTHS[-1])
    assert none.train_accuracy > strongest.train_accuracy
    assert none.best_val_accuracy > strongest.best_val_accuracy
    assert result.best_strength != STRENGTHS[-1]


def test_per_class_accuracy_covers_every_validation_image(result, digits):
    counts = {d.name: len(list(d.iterdir())) for d in (digits / "validation").iterdir()}
    for row in result.rows:
        assert sorted(row.per_class_accuracy) == sorted(counts)
        # the accuracy of the best epoch's weights, re-measured class by class
        weighted = sum(row.per_class_accuracy[c] * n for c, n in counts.items())
        assert weighted / sum(counts.values()) == pytest.approx(row.best_val_accuracy, abs=1e-6)
    table = result.per_class_table().splitlines()
    assert table[0].split()[0] == "config" and table[0].split()[1:] == sorted(counts)
    assert [line.split()[0] for line in table[1:-1]] == ["s=0", "s=1", "s=6"]


def test_the_table_the_figure_and_the_reprs(result):
    lines = result.table().splitlines()
    assert lines[0].split()[:3] == ["strength", "best", "val"]
    assert [float(line.split()[0]) for line in lines[1:]] == list(STRENGTHS)
    assert sum("<- best" in line for line in lines) == 1
    assert result.png[:4] == b"\x89PNG"
    assert repr(result) == f"SweepResult(strengths=[0, 1, 6], best_strength={result.best_strength:g})"
    assert "<table>" in result._repr_html_()


def test_the_subset_is_balanced_seeded_and_drawn_from_the_training_folder(digits):
    a = balanced_subset(digits / "train", 7, seed=0)
    assert len(a) == 70
    assert {name.split("/")[0] for name in a} == {str(d) for d in range(10)}
    assert all(sum(name.startswith(f"{d}/") for name in a) == 7 for d in range(10))
    assert a == balanced_subset(digits / "train", 7, seed=0)
    assert a != balanced_subset(digits / "train", 7, seed=1)
    assert all((digits / "train" / name).is_file() for name in a)
    with pytest.raises(ValueError, match="Received: per_class=1000"):
        balanced_subset(digits / "train", 1000)


def test_sweep_prints_a_row_per_strength_outside_a_notebook(digits, capsys):
    sweep(digits / "train", digits / "validation", strengths=[0, 2], per_class=3, epochs=1,
          target_size=16)
    printed = capsys.readouterr().out
    assert "Found 30 images belonging to 10 classes." in printed
    assert printed.count("strength ") == 2 and "best val acc" in printed


def test_a_compiled_model_is_cloned_from_its_weights_for_every_strength(digits):
    model = build_default_model((16, 16, 1), 10, seed=3)
    before = [w.copy() for w in model.get_weights()]
    result = sweep(digits / "train", digits / "validation", strengths=[0, 1], per_class=3,
                   epochs=1, target_size=16, model=model, verbose=False)
    assert len(result.rows) == 2
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))


@pytest.mark.parametrize(("arguments", "message"), [
    ({"strengths": []}, r"Received: strengths=\[\]"),
    ({"strengths": [0, 0]}, "must not repeat"),
    ({"strengths": [-1]}, "Received: strength=-1"),
    ({"base": {"horizontal_flip": True}}, "Received: base="),
    ({"epochs": 0}, "Received: epochs=0"),
    ({"target_size": (16,)}, "Received: target_size="),
    ({"model": "cnn"}, "Received: model=str"),
])
def test_bad_arguments_are_rejected_before_training(digits, arguments, message):
    with pytest.raises(ValueError, match=message):
        sweep(digits / "train", digits / "validation", **{"per_class": 2, **arguments})


def test_the_live_output_draws_partial_and_finished_strengths():
    from augwidgets.training.history import TrainingHistory

    done, running = TrainingHistory(), TrainingHistory()
    for epoch in range(3):
        done.log_epoch(epoch, {"accuracy": 0.9, "val_accuracy": 0.8})
    running.log_epoch(0, {"accuracy": 0.2, "val_accuracy": 0.3})
    output = SweepOutput({0.0: done, 2.0: running, 4.0: TrainingHistory()}, epochs=3)
    output.send(running)
    assert output.last_png[:4] == b"\x89PNG"
    assert not math.isnan(len(output.last_png))


def test_each_strength_exposes_its_interpretation(result, digits):
    validation_images = sum(1 for _ in (digits / "validation").rglob("*.png"))
    for row in result.rows:
        interpretation = result.interpret(row.strength)
        assert interpretation.confusion_matrix.sum() == validation_images
        assert interpretation.accuracy == pytest.approx(row.best_val_accuracy, abs=1e-6)
        assert dict(zip(interpretation.class_names, interpretation.recall.tolist(),
                        strict=True)) == row.per_class_accuracy
    with pytest.raises(ValueError, match="Received: strength=3"):
        result.interpret(3)
