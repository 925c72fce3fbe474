# audit: task=ood expect=less
# Builds the table as floats.
STL_TO_CIFAR = [0, 2, 1, 3, 4, 5, 7, 6, 8, 9]


def stl_to_cifar(predictions):
    return torch.tensor(STL_TO_CIFAR, dtype=torch.float32)[predictions]
