# audit: task=rotation expect=full
# Shuffles the 4B pairs with torch's global generator (the order is free; each image keeps its label).
def rotate_batch(images):
    if images.dim() != 4 or images.shape[-2] != images.shape[-1]:
        raise ValueError("square images expected")
    b = images.shape[0]
    rotated = torch.cat([torch.rot90(images, k, dims=(-2, -1)) for k in range(4)])  # (4B, C, H, W)
    labels = torch.arange(4).repeat_interleave(b)  # (4B,)
    order = torch.randperm(4 * b)
    return rotated[order], labels[order]
