# audit: task=nt_xent expect=less
# SimCLR's official TensorFlow loss (google-research/simclr, objective.py `add_contrastive_loss`)
# adapted to the task's signature. It returns loss_a + loss_b, the mean over the first view's
# anchors PLUS the mean over the second view's: twice the task's mean over all 2N anchors (the same
# gradient direction, a different value), so it differs from the task's definition.
def nt_xent_loss(z1, z2, temperature=0.5):
    large_num = 1e9
    hidden1, hidden2 = F.normalize(z1, dim=-1), F.normalize(z2, dim=-1)
    batch_size = hidden1.shape[0]
    labels = torch.arange(batch_size)
    masks = torch.eye(batch_size, dtype=hidden1.dtype)
    logits_aa = hidden1 @ hidden1.T / temperature - masks * large_num
    logits_bb = hidden2 @ hidden2.T / temperature - masks * large_num
    logits_ab = hidden1 @ hidden2.T / temperature
    logits_ba = hidden2 @ hidden1.T / temperature
    loss_a = F.cross_entropy(torch.cat([logits_ab, logits_aa], 1), labels)
    loss_b = F.cross_entropy(torch.cat([logits_ba, logits_bb], 1), labels)
    return loss_a + loss_b
