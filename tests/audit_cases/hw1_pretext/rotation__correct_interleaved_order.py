# audit: task=rotation expect=full
# Stacks the four rotations on a new axis after the batch: image 0 at 0/90/180/270, then image 1...
def rotate_batch(images):
    if images.dim() != 4 or images.shape[-2] != images.shape[-1]:
        raise ValueError("square images expected")
    b = images.shape[0]
    rotated = torch.stack([torch.rot90(images, k, dims=(2, 3)) for k in range(4)], dim=1)  # (B, 4, C, H, W)
    return rotated.flatten(0, 1), torch.arange(4).repeat(b)
