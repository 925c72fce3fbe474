# audit: task=dino expect=less
# Computes the centre with autograd on.
def dino_loss(student, teacher, center, student_temp=0.1, teacher_temp=0.04):
    targets = F.softmax((teacher - center) / teacher_temp, dim=-1).detach()
    log_p = F.log_softmax(student / student_temp, dim=-1)
    losses = []
    for t in range(2):
        for s in range(student.shape[0]):
            if s != t:
                losses.append(-(targets[t] * log_p[s]).sum(dim=-1).mean())
    return sum(losses) / len(losses)


def update_center(center, teacher, momentum=0.9):
    return momentum * center + (1 - momentum) * teacher.mean(dim=(0, 1))
