"""Hidden tests of task `linear_probe`: features equal the encoder's eval-mode outputs without a
graph, the encoder is left exactly as found (state, flags, every submodule's mode); the probe fits
on the training split only, counts test accuracy and ignores the global RNG.

The encoder is built in the student's worker from torch's own classes (``student.new``) and loaded
with weights drawn here; what it should output is computed here, on a copy of it."""

import pytest
import torch
import torch.nn as nn

from autograder.testing import assert_close, assert_dtype, assert_inputs_unchanged, generator

pytestmark = pytest.mark.task("linear_probe")

MIXED = {"": True, "0": True, "1": True, "2": False, "3": False, "4": True}
SIZES = (7, 7, 3)  # a loader with an uneven last batch


def layers(build) -> list:
    """The encoder's layers: its train and eval outputs differ (batch norm, dropout)."""
    return [
        build("torch.nn:Linear", 6, 16),
        build("torch.nn:BatchNorm1d", 16),
        build("torch.nn:ReLU"),
        build("torch.nn:Dropout", 0.5),
        build("torch.nn:Linear", 16, 8),
    ]


def local(path: str, *args):
    """``student.new``'s counterpart here: "torch.nn:Linear" builds an ``nn.Linear``."""
    return getattr(nn, path.partition(":")[2])(*args)


def reference_encoder(g: torch.Generator) -> nn.Sequential:
    """The encoder with random weights and odd running statistics, here in the trusted process."""
    encoder = nn.Sequential(*layers(local))
    with torch.no_grad():
        for p in encoder.parameters():
            p.copy_(torch.randn(p.shape, generator=g))
        encoder[1].running_mean.copy_(torch.randn(16, generator=g))
        encoder[1].running_var.copy_(torch.rand(16, generator=g) + 0.5)
    return encoder


def state(encoder) -> dict:
    """Everything extract_features must leave as it was, read from the worker's encoder."""
    return {
        "tensors": encoder.state_dict(),
        "requires_grad": {k: p.requires_grad for k, p in encoder.named_parameters()},
        "training": {k: m.training for k, m in encoder.named_modules()},
    }


def setup(student, base: int, modes: dict[str, bool], label_dtype: torch.dtype = torch.int64):
    """(encoder in the worker, loader, expected eval-mode features, labels of all batches)."""
    g = generator(base)
    reference = reference_encoder(g)
    loader = [
        (torch.randn(n, 6, generator=g), torch.randint(5, (n,), generator=g).to(label_dtype)) for n in SIZES
    ]
    reference.eval()
    with torch.no_grad():
        expected = torch.cat([reference(x) for x, _ in loader])
    parts = layers(student.new)
    encoder = student.new("torch.nn:Sequential", *parts)
    encoder.load_state_dict(dict(reference.state_dict()))
    parts[-1].requires_grad_(False)  # a partly frozen encoder (its last layer): flags must survive
    for name, module in encoder.named_modules():  # parents first: each ends in its own mode
        module.train(modes.get(name, True))
    return encoder, loader, expected, torch.cat([y for _, y in loader])


def extract(
    student, base: int, modes: dict[str, bool], label_dtype: torch.dtype = torch.int64
) -> tuple[dict, torch.Tensor, torch.Tensor]:
    encoder, loader, expected, labels = setup(student, base, modes, label_dtype)
    before = state(encoder)
    result = student.extract_features(encoder, loader)
    if not (isinstance(result, tuple | list) and len(result) == 2):
        raise AssertionError("extract_features should return (features, labels)")
    features, got_labels = result
    if not isinstance(features, torch.Tensor):
        raise AssertionError(f"features should be a tensor, not a {type(features).__name__}")
    out = {"features": features, "labels": got_labels, "before": before, "after": state(encoder)}
    return out, expected, labels


def assert_right_values(out: dict, expected: torch.Tensor, labels: torch.Tensor) -> None:
    """The value check of one call: the eval-mode features and the loader's labels, in order
    (compared as values; the labels' dtype is a convention with its own test)."""
    assert_close(out["features"], expected, "extract_features: the features of all batches in eval mode")
    got = out["labels"]
    assert isinstance(got, torch.Tensor) and tuple(got.shape) == tuple(labels.shape), (
        f"labels should be a tensor of shape {tuple(labels.shape)}"
    )
    assert torch.equal(got.double(), labels.double()), (
        "labels should be the loader's labels of all batches, in order"
    )


def returns_inference_tensors(student, base: int) -> bool:
    """Whether the features are inference tensors. That flag stays in the worker (the result crosses
    as a copy), so torch's own ``Tensor.is_inference`` reads it there: map objects chain the
    student's function and library callables, and only the booleans come back."""
    encoder, loader, _, _ = setup(student, base, {})
    outputs = student.new("builtins:map", student.value("extract_features"), [encoder], [loader])
    features = student.new("builtins:map", student.new("operator:itemgetter", 0), outputs)
    flags = student.new("builtins:map", student.new("operator:methodcaller", "is_inference"), features)
    return [flag for flag in flags] != [False]  # not list(flags): it asks a map for its len()


@pytest.mark.weight(2)
def test_linear_probe__features_are_the_eval_mode_outputs_of_every_batch(student):
    assert_right_values(*extract(student, 1, {}))


@pytest.mark.weight(0.5)
def test_linear_probe__labels_are_int64_whatever_integer_dtype_the_loader_yields(student):
    for label_dtype in (torch.int64, torch.int32):
        out, expected, labels = extract(student, 5, {}, label_dtype)
        assert_right_values(out, expected, labels)
        assert_dtype(out["labels"], torch.int64, f"labels of a loader that yields {label_dtype} labels")


def test_linear_probe__features_carry_no_autograd_graph(student):
    out, expected, labels = extract(student, 2, {})
    assert_right_values(out, expected, labels)
    assert not out["features"].requires_grad, (
        "features must carry no autograd graph: run the encoder under torch.no_grad()"
    )
    assert not returns_inference_tensors(student, 2), (
        "features must be ordinary tensors, not inference tensors: use torch.no_grad(), "
        "not torch.inference_mode()"
    )


@pytest.mark.weight(2)
def test_linear_probe__encoder_parameters_buffers_and_flags_are_unchanged(student):
    out, expected, labels = extract(student, 3, {})
    assert_right_values(out, expected, labels)
    before, after = out["before"], out["after"]
    for name, tensor in before["tensors"].items():
        assert torch.equal(tensor, after["tensors"][name]), (
            f"extract_features changed the encoder's `{name}` (batch norm statistics change in train mode)"
        )
    assert before["requires_grad"] == after["requires_grad"], (
        "extract_features changed some parameter's requires_grad flag; leave the flags as they were"
    )


@pytest.mark.parametrize("modes", [{}, MIXED, {k: False for k in MIXED}], ids=["train", "mixed", "eval"])
def test_linear_probe__every_submodules_mode_is_restored(student, modes):
    out, expected, labels = extract(student, 4, modes)
    assert_right_values(out, expected, labels)
    changed = sorted(
        k or "(the encoder itself)"
        for k, v in out["before"]["training"].items()
        if out["after"]["training"][k] != v
    )
    assert not changed, (
        f"extract_features did not restore the train/eval mode of submodule(s) {', '.join(changed)}; "
        "remember every submodule's mode and put it back"
    )


def blobs(base: int, per_class: int, classes: int = 4, d: int = 12, spread: float = 1.0):
    g = generator(base)
    centres = 8.0 * torch.eye(classes, d, dtype=torch.float64)
    x = centres.repeat_interleave(per_class, 0) + spread * torch.randn(
        classes * per_class, d, generator=g, dtype=torch.float64
    )
    return x, torch.arange(classes).repeat_interleave(per_class)  # (N, D), (N,)


def accuracy(student, *args) -> float:
    value = student.linear_probe_accuracy(*args)
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise AssertionError("linear_probe_accuracy should return one number")
        value = value.item()
    if not isinstance(value, int | float):
        raise AssertionError(f"linear_probe_accuracy should return a float, not a {type(value).__name__}")
    return float(value)


@pytest.mark.weight(2)
@pytest.mark.parametrize("classes", [2, 4, 7])
def test_linear_probe__separable_classes_are_classified_perfectly(student, classes):
    x_train, y_train = blobs(10 + classes, 25, classes)
    x_test, y_test = blobs(20 + classes, 10, classes)
    got = accuracy(student, x_train.float(), y_train, x_test.float(), y_test)
    assert abs(got - 1.0) < 1e-9, (
        f"{classes} well separated classes should get test accuracy 1.0 (a fraction in [0, 1]), got {got}"
    )


@pytest.mark.weight(2)
def test_linear_probe__fits_on_the_training_split_only(student):
    x_train, y_train = blobs(30, 25)
    x_test, y_test = blobs(31, 10)
    got = accuracy(student, x_train, y_train, x_test, (y_test + 1) % 4)
    assert got < 1e-9, (
        "when every test label is a different class than the training data says, the accuracy "
        f"must be 0, got {got}: fit the classifier on the training features only"
    )


@pytest.mark.weight(2)
def test_linear_probe__accuracy_is_the_fraction_of_correct_test_labels(student):
    x_train, y_train = blobs(40, 25)
    x_test, y_test = blobs(41, 10)
    wrong = torch.arange(len(y_test)) % 4 == 0  # a quarter of the test labels say another class
    got = accuracy(student, x_train, y_train, x_test, torch.where(wrong, (y_test + 2) % 4, y_test))
    assert abs(got - 0.75) < 1e-9, (
        f"with a quarter of the test labels wrong the test accuracy must be 0.75, got {got}"
    )


OFFSETS = 5.0 * torch.tensor([3, -2, 1, -4, 2, -1, 4, -3, 0, 1, -2, 3], dtype=torch.float64)


@pytest.mark.weight(2)
def test_linear_probe__features_with_an_offset_and_a_scale_are_classified_perfectly(student):
    # Encoder outputs are neither centred nor of unit scale: the same separable blobs moved by a
    # different offset on every axis, the 8 axes that carry no class information stretched 20 times.
    # A classifier fit on the training split and applied to the test split as it is (or after the
    # training split's standardisation) classifies every test point; standardising the two splits
    # differently, or only one of them, does not.
    scale = torch.tensor([1.0] * 4 + [20.0] * 8, dtype=torch.float64)
    x_train, y_train = blobs(70, 25)
    x_test, y_test = blobs(71, 10)
    got = accuracy(student, x_train * scale + OFFSETS, y_train, x_test * scale + OFFSETS, y_test)
    assert abs(got - 1.0) < 1e-9, (
        "well separated classes whose features have an offset and a scale (as encoder outputs do) "
        f"should get test accuracy 1.0, got {got}: transform the test features exactly as the "
        "training features"
    )


def correlated(base: int, per_class: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Two classes that differ only in x0 - x1 (by 1, with noise 0.07), next to a large shared
    nuisance t (std 5) on both axes: the class means differ along x0, where the classes overlap,
    so only a fitted classifier (x0 - x1) separates them, with a margin of 7 noise sigmas."""
    g = generator(base)
    y = torch.arange(2).repeat_interleave(per_class)
    t = 5.0 * torch.randn(len(y), generator=g, dtype=torch.float64)
    e = 0.05 * torch.randn(len(y), 4, generator=g, dtype=torch.float64)
    return torch.stack([t + y.double() + e[:, 0], t + e[:, 1], e[:, 2], e[:, 3]], 1), y


@pytest.mark.weight(2)
def test_linear_probe__classes_apart_along_a_direction_of_small_variance_are_classified_perfectly(student):
    x_train, y_train = correlated(80, 100)
    x_test, y_test = correlated(81, 20)
    got = accuracy(student, x_train, y_train, x_test, y_test)
    assert abs(got - 1.0) < 1e-9, (
        "two classes that a linear boundary separates with a wide margin, along a direction of small "
        f"variance next to a large shared one, should get test accuracy 1.0, got {got}: fit the "
        "classifier to convergence (the direction between the class means is not enough)"
    )


def separable_gets_full_accuracy(student, *args) -> None:
    """The value check of a side-condition test: well separated blobs are classified perfectly."""
    got = accuracy(student, *args)
    assert abs(got - 1.0) < 1e-9, f"well separated classes should get test accuracy 1.0, got {got}"


def test_linear_probe__result_does_not_depend_on_the_global_rng(student):
    separable_gets_full_accuracy(student, *blobs(52, 25), *blobs(53, 10))
    x_train, y_train = blobs(50, 8, classes=5, d=40, spread=12.0)
    x_test, y_test = blobs(51, 60, classes=5, d=40, spread=12.0)
    runs = []
    for global_seed in (1, 2, 3, 4):
        student.new("torch:manual_seed", global_seed)
        runs.append(accuracy(student, x_train, y_train, x_test, y_test))
    assert len(set(runs)) == 1, (
        "the accuracy changed with torch's global seed; seed your own generator or use a deterministic solver"
    )


@pytest.mark.weight(0.5)
def test_linear_probe__inputs_are_not_modified(student):
    x_train, y_train = blobs(60, 25)
    x_test, y_test = blobs(61, 10)

    def perfect(value) -> None:
        if isinstance(value, torch.Tensor) and value.numel() == 1:
            value = value.item()
        assert isinstance(value, int | float) and abs(value - 1.0) < 1e-9, (
            "linear_probe_accuracy should return test accuracy 1.0 for well separated classes"
        )

    assert_inputs_unchanged(
        student, "linear_probe_accuracy", x_train, y_train, x_test, y_test,
        result_check=perfect,
    )
