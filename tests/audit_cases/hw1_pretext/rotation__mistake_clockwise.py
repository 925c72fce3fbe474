# audit: task=rotation expect=less
# Turns clockwise (dims swapped), so label 1 is a 270-degree counter-clockwise turn.
def rotate_batch(images):
    if images.shape[-1] != images.shape[-2]:
        raise ValueError("square images expected")
    b = images.shape[0]
    rotated = torch.cat([torch.rot90(images, k, dims=(-1, -2)) for k in range(4)])
    return rotated, torch.arange(4).repeat_interleave(b)
