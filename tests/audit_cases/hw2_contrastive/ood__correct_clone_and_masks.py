# audit: task=ood expect=full
# Masks computed on the input, written into a clone.
def stl_to_cifar(predictions):
    out = predictions.clone().long()
    for stl, cifar in {1: 2, 2: 1, 6: 7, 7: 6}.items():
        out[predictions == stl] = cifar
    return out
