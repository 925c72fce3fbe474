# audit: task=dino expect=full
# The official DINO loop over chunked crops.
def dino_loss(student, teacher, center, student_temp=0.1, teacher_temp=0.04):
    student_out = (student / student_temp).unbind(0)
    teacher_out = F.softmax((teacher - center) / teacher_temp, dim=-1).detach().unbind(0)
    total_loss, n_loss_terms = 0, 0
    for iq, q in enumerate(teacher_out):
        for v in range(len(student_out)):
            if v == iq:
                continue
            loss = torch.sum(-q * F.log_softmax(student_out[v], dim=-1), dim=-1)
            total_loss += loss.mean()
            n_loss_terms += 1
    return total_loss / n_loss_terms


def update_center(center, teacher, momentum=0.9):
    with torch.no_grad():
        batch_center = torch.sum(teacher.flatten(0, 1), dim=0, keepdim=True) / teacher.flatten(0, 1).shape[0]
        return (center * momentum + batch_center * (1 - momentum)).squeeze(0)
