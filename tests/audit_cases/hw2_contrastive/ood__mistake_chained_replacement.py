# audit: task=ood expect=less
# Replaces in sequence on one tensor: bird becomes car, then car becomes bird again.
def stl_to_cifar(predictions):
    out = predictions.clone()
    for stl, cifar in [(1, 2), (2, 1), (6, 7), (7, 6)]:
        out[out == stl] = cifar
    return out
