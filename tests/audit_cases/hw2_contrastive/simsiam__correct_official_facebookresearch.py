# audit: task=simsiam expect=full
# The official SimSiam (facebookresearch/simsiam): main_simsiam.py's loss
# -(criterion(p1, z2).mean() + criterion(p2, z1).mean()) * 0.5 with criterion = nn.CosineSimilarity(dim=1),
# and the z1.detach(), z2.detach() that simsiam/builder.py's forward returns, moved into the loss.
def simsiam_loss(p1, p2, z1, z2):
    criterion = nn.CosineSimilarity(dim=1)
    z1, z2 = z1.detach(), z2.detach()
    return -(criterion(p1, z2).mean() + criterion(p2, z1).mean()) * 0.5
