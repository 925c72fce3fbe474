# audit: task=rotation expect=less
# Only the three "real" rotations: the unrotated image (label 0) is missing.
def rotate_batch(images):
    if images.shape[-1] != images.shape[-2]:
        raise ValueError("square images expected")
    b = images.shape[0]
    rotated = torch.cat([torch.rot90(images, k, dims=(-2, -1)) for k in range(1, 4)])
    return rotated, torch.arange(1, 4).repeat_interleave(b)
