# audit: task=rotation expect=less
# Concatenates rotation by rotation but writes the labels image by image: pairs get mixed up.
def rotate_batch(images):
    if images.shape[-1] != images.shape[-2]:
        raise ValueError("square images expected")
    b = images.shape[0]
    rotated = torch.cat([torch.rot90(images, k, dims=(-2, -1)) for k in range(4)])
    return rotated, torch.arange(4).repeat(b)
