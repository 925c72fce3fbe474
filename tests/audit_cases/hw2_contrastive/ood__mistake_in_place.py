# audit: task=ood expect=less
# Writes the CIFAR ids into the caller's tensor.
def stl_to_cifar(predictions):
    old = predictions.clone()
    for stl, cifar in {1: 2, 2: 1, 6: 7, 7: 6}.items():
        predictions[old == stl] = cifar
    return predictions
