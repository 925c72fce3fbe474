# audit: task=rotation expect=less
# Uses a transpose for 90 degrees and flips for 270 (a reflection, not a rotation).
def rotate_batch(images):
    if images.shape[-1] != images.shape[-2]:
        raise ValueError("square images expected")
    b = images.shape[0]
    turns = [images, images.transpose(-2, -1), images.flip(-2, -1), images.transpose(-2, -1).flip(-1)]
    return torch.cat(turns), torch.arange(4).repeat_interleave(b)
