# audit: task=rotation expect=less
# Labels as a float tensor (cross_entropy then fails on them).
def rotate_batch(images):
    if images.shape[-1] != images.shape[-2]:
        raise ValueError("square images expected")
    b = images.shape[0]
    rotated = torch.cat([torch.rot90(images, k, dims=(-2, -1)) for k in range(4)])
    return rotated, torch.tensor([float(k) for k in range(4) for _ in range(b)])
