"""Hidden tests of bonus task `dino` (DINO's self-distillation loss and centre update).

Values are compared in float64 with tolerances that a float32 computation also meets; the dtype
of the result is a convention with its own test.
"""

import pytest
import torch

from autograder.testing import (
    assert_close,
    assert_dtype,
    assert_inputs_unchanged,
    generator,
    no_gradient,
    scalar,
)

pytestmark = pytest.mark.task("dino")


def oracle(student, teacher, center, student_temp, teacher_temp) -> float:
    """Algorithm 1 of the paper, pair by pair and row by row, in float64."""
    student, teacher, center = student.double(), teacher.double(), center.double()
    pairs = []
    for t in range(teacher.shape[0]):
        for s in range(student.shape[0]):
            if s == t:
                continue
            rows = []
            for b in range(student.shape[1]):
                target = torch.softmax((teacher[t, b] - center) / teacher_temp, dim=0)
                log_p = torch.log_softmax(student[s, b] / student_temp, dim=0)
                rows.append(-float((target * log_p).sum()))
            pairs.append(sum(rows) / len(rows))
    return sum(pairs) / len(pairs)


def logits(base: int, s: int, b: int, k: int, dtype=torch.float64, scale: float = 1.0):
    g = generator(base)
    student = torch.randn(s, b, k, generator=g, dtype=dtype) * scale
    teacher = torch.randn(2, b, k, generator=g, dtype=dtype) * scale
    center = torch.randn(k, generator=g, dtype=dtype) * scale
    return student, teacher, center


def loss_check(args, student_temp: float = 0.1, teacher_temp: float = 0.04, **tolerance):
    """A check of ``dino_loss(*args, ...)``'s value."""
    want = oracle(*args, student_temp, teacher_temp)

    def check(loss) -> None:
        what = f"dino_loss with temperatures {student_temp}/{teacher_temp}"
        assert_close(scalar(loss, "dino_loss"), want, what, **tolerance)

    return check


def centre_check(center, teacher, momentum: float = 0.9):
    """A check of ``update_center(center, teacher, momentum)``'s value."""
    want = momentum * center.double() + (1 - momentum) * teacher.double().mean(dim=(0, 1))

    def check(new_center) -> None:
        assert_close(new_center, want, f"update_center with momentum {momentum}", rtol=1e-6, atol=1e-8)

    return check


@pytest.mark.weight(3)
@pytest.mark.parametrize(
    "s,b,k,student_temp,teacher_temp", [(2, 1, 3, 0.1, 0.04), (4, 5, 16, 0.1, 0.04), (6, 3, 8, 0.2, 0.07)]
)
def test_dino_loss__matches_the_papers_algorithm(student, s, b, k, student_temp, teacher_temp):
    for base in range(3):
        args = logits(100 * s + base, s, b, k)
        got = student.dino_loss(*args, student_temp=student_temp, teacher_temp=teacher_temp)
        loss_check(args, student_temp, teacher_temp)(got)


def test_dino_loss__default_temperatures_are_0_1_and_0_04(student):
    args = logits(7, 3, 4, 5)
    loss_check(args)(student.dino_loss(*args))


@pytest.mark.weight(2)
def test_dino_loss__finite_and_correct_with_large_logits_in_float32(student):
    args = logits(9, 4, 8, 32, dtype=torch.float32, scale=20.0)
    loss = scalar(student.dino_loss(*args), "dino_loss")
    assert bool(torch.isfinite(loss)), "dino_loss overflows with large logits in float32 (inf or nan)"
    # logits of size 20 / 0.04 = 500 carry float32 rounding errors of about 500 * 1.2e-7
    loss_check(args, rtol=1e-4, atol=200 * torch.finfo(torch.float32).eps / 0.04)(loss)


@pytest.mark.weight(2)
def test_dino_loss__gradient_reaches_the_student_only(student):
    args = [t.requires_grad_(True) for t in logits(11, 3, 4, 6)]
    loss, grads, _ = student.dino_loss.with_grad(*args)
    loss_check([a.detach() for a in args])(loss)
    assert no_gradient(grads[1]), "a gradient reaches the teacher: its targets must carry no gradient"
    assert no_gradient(grads[2]), "a gradient reaches the centre: its targets must carry no gradient"
    ref = args[0].detach().clone().requires_grad_(True)
    targets = torch.softmax((args[1].detach() - args[2].detach()) / 0.04, dim=-1)
    log_p = torch.log_softmax(ref / 0.1, dim=-1)
    pairs = [-(targets[t] * log_p[s]).sum(-1).mean() for t in range(2) for s in range(3) if s != t]
    torch.stack(pairs).mean().backward()
    assert grads[0] is not None, "no gradient reaches the student"
    assert_close(grads[0], ref.grad, "the gradient with respect to the student logits", rtol=1e-4, atol=1e-6)


@pytest.mark.weight(0.5)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_dino_loss__returns_the_inputs_dtype(student, dtype):
    args = logits(19, 3, 4, 5, dtype=dtype)
    loss = student.dino_loss(*args)
    loss_check(args)(loss)
    assert_dtype(loss, dtype, f"dino_loss of {dtype} logits")


@pytest.mark.weight(0.5)
def test_dino_loss__does_not_modify_inputs(student):
    args = logits(13, 3, 2, 4)
    assert_inputs_unchanged(student, "dino_loss", *args, result_check=loss_check(args))


@pytest.mark.weight(2)
@pytest.mark.parametrize("momentum", [0.9, 0.5])
def test_update_center__is_an_ema_of_the_mean_teacher_logit(student, momentum):
    _, teacher, center = logits(15, 2, 6, 5)
    centre_check(center, teacher, momentum)(student.update_center(center, teacher, momentum=momentum))


def test_update_center__default_momentum_is_0_9(student):
    _, teacher, center = logits(17, 2, 3, 4)
    centre_check(center, teacher)(student.update_center(center, teacher))


@pytest.mark.weight(0.5)
def test_update_center__records_no_autograd_graph(student):
    _, teacher, center = logits(21, 2, 3, 4)
    new_center = student.update_center(center, teacher.clone().requires_grad_(True))
    centre_check(center, teacher)(new_center)
    assert not new_center.requires_grad, "the new centre requires grad: compute it without an autograd graph"


@pytest.mark.weight(0.5)
def test_update_center__does_not_modify_inputs(student):
    _, teacher, center = logits(23, 2, 3, 4)
    check = centre_check(center, teacher)
    assert_inputs_unchanged(student, "update_center", center, teacher, result_check=check)
