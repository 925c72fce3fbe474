# audit: task=dino expect=less
# Casts the logits to float32 first (as mixed-precision training code does): float64 logits give
# a float32 loss, not one of the inputs' dtype.
def dino_loss(student, teacher, center, student_temp=0.1, teacher_temp=0.04):
    student, teacher, center = student.float(), teacher.float(), center.float()
    targets = F.softmax((teacher - center) / teacher_temp, dim=-1).detach()
    log_probs = F.log_softmax(student / student_temp, dim=-1)
    losses = [
        -(targets[t] * log_probs[s]).sum(dim=-1).mean()
        for t in range(targets.shape[0])
        for s in range(log_probs.shape[0])
        if s != t
    ]
    return torch.stack(losses).mean()


def update_center(center, teacher, momentum=0.9):
    with torch.no_grad():
        return momentum * center + (1 - momentum) * teacher.mean(dim=(0, 1))
