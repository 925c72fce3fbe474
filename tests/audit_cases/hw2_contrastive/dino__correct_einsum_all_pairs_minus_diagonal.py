# audit: task=dino expect=full
# All S x 2 pairs at once with einsum, then removes the s = t terms.
def dino_loss(student, teacher, center, student_temp=0.1, teacher_temp=0.04):
    targets = torch.softmax((teacher - center) / teacher_temp, dim=-1).detach()
    log_p = torch.log_softmax(student / student_temp, dim=-1)
    ce = -torch.einsum("tbk,sbk->tsb", targets, log_p).mean(dim=2)
    keep = torch.ones_like(ce, dtype=torch.bool)
    keep[0, 0] = keep[1, 1] = False
    return ce[keep].mean()


def update_center(center, teacher, momentum=0.9):
    batch_center = teacher.detach().reshape(-1, teacher.shape[-1]).mean(dim=0)
    return center * momentum + batch_center * (1 - momentum)
