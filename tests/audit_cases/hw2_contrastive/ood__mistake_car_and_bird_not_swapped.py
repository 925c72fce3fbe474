# audit: task=ood expect=less
# Keeps bird and car at the same ids.
STL_TO_CIFAR = [0, 1, 2, 3, 4, 5, 7, 6, 8, 9]


def stl_to_cifar(predictions):
    return torch.tensor(STL_TO_CIFAR)[predictions]
