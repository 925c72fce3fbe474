# audit: task=rotation expect=less
# Converts the images to float32 first, losing the inputs' dtype.
def rotate_batch(images):
    if images.shape[-1] != images.shape[-2]:
        raise ValueError("square images expected")
    images = images.float()
    b = images.shape[0]
    rotated = torch.cat([torch.rot90(images, k, dims=(-2, -1)) for k in range(4)])
    return rotated, torch.arange(4).repeat_interleave(b)
