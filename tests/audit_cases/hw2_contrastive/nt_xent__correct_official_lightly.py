# audit: task=nt_xent expect=full
# lightly's NTXentLoss (lightly/loss/ntx_ent_loss.py, memory_bank_size=0, one process) adapted to
# the task's signature: four view-by-view logit blocks, self-similarities removed from the 00 and
# 11 blocks, positives at index i of the [01 | 00] and [10 | 11] rows, mean cross-entropy.
def nt_xent_loss(z1, z2, temperature=0.5):
    batch_size = z1.shape[0]
    out0 = F.normalize(z1, dim=1)
    out1 = F.normalize(z2, dim=1)
    diag_mask = torch.eye(batch_size, device=out0.device, dtype=torch.bool)
    logits_00 = torch.einsum("nc,mc->nm", out0, out0) / temperature
    logits_01 = torch.einsum("nc,mc->nm", out0, out1) / temperature
    logits_10 = torch.einsum("nc,mc->nm", out1, out0) / temperature
    logits_11 = torch.einsum("nc,mc->nm", out1, out1) / temperature
    logits_00 = logits_00[~diag_mask].view(batch_size, -1)
    logits_11 = logits_11[~diag_mask].view(batch_size, -1)
    logits = torch.cat([torch.cat([logits_01, logits_00], dim=1), torch.cat([logits_10, logits_11], dim=1)], dim=0)
    labels = torch.arange(batch_size, device=out0.device, dtype=torch.long).repeat(2)
    return nn.CrossEntropyLoss(reduction="mean")(logits, labels)
