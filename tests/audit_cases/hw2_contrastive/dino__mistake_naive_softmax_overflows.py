# audit: task=dino expect=less
# Computes the softmaxes with plain exp and log: overflows in float32.
def dino_loss(student, teacher, center, student_temp=0.1, teacher_temp=0.04):
    e = torch.exp((teacher - center) / teacher_temp)
    targets = (e / e.sum(dim=-1, keepdim=True)).detach()
    es = torch.exp(student / student_temp)
    log_p = torch.log(es / es.sum(dim=-1, keepdim=True))
    losses = []
    for t in range(2):
        for s in range(student.shape[0]):
            if s != t:
                losses.append(-(targets[t] * log_p[s]).sum(dim=-1).mean())
    return sum(losses) / len(losses)


@torch.no_grad()
def update_center(center, teacher, momentum=0.9):
    return momentum * center + (1 - momentum) * teacher.mean(dim=(0, 1))
