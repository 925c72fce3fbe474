# audit: task=ood expect=less
# Counts monkey as deer.
STL_TO_CIFAR = [0, 2, 1, 3, 4, 5, 7, 4, 8, 9]


def stl_to_cifar(predictions):
    return torch.tensor(STL_TO_CIFAR)[predictions]
