# audit: task=rotation expect=less
# Never checks that images are square.
def rotate_batch(images):
    b = images.shape[0]
    rotated = torch.cat([torch.rot90(images, k, dims=(-2, -1)) for k in range(4)])
    return rotated, torch.arange(4).repeat_interleave(b)
