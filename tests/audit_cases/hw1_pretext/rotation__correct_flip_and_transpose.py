# audit: task=rotation expect=full
# Builds the quarter turns from transposes and flips, looping over images.
def _turn(x, k):
    for _ in range(k):
        x = x.transpose(-2, -1).flip(-2)  # one quarter turn counter-clockwise
    return x


def rotate_batch(images):
    b, c, h, w = images.shape
    if h != w:
        raise ValueError(f"expected square images, got {h}x{w}")
    outs, labels = [], []
    for i in range(b):
        for k in range(4):
            outs.append(_turn(images[i], k))
            labels.append(k)
    return torch.stack(outs), torch.tensor(labels, dtype=torch.long)
