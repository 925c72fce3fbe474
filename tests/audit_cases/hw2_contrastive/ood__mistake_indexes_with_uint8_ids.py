# audit: task=ood expect=less
# Indexes the table with the ids as given: uint8 ids are taken as a boolean mask, not as indices.
STL_TO_CIFAR = torch.tensor([0, 2, 1, 3, 4, 5, 7, 6, 8, 9])


def stl_to_cifar(predictions):
    return STL_TO_CIFAR[predictions]
