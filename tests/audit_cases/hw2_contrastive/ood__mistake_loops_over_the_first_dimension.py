# audit: task=ood expect=less
# Iterates over the tensor: works for a 1-D batch only (not for 0-d or 2-D ids).
STL_TO_CIFAR = [0, 2, 1, 3, 4, 5, 7, 6, 8, 9]


def stl_to_cifar(predictions):
    return torch.tensor([STL_TO_CIFAR[int(p)] for p in predictions])
