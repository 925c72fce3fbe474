# audit: task=ood expect=less
# Returns the ids in the input's dtype (int32 in, int32 out), not int64.
STL_TO_CIFAR = torch.tensor([0, 2, 1, 3, 4, 5, 7, 6, 8, 9])


def stl_to_cifar(predictions):
    return STL_TO_CIFAR.to(predictions.dtype)[predictions.long()]
