# audit: task=ood expect=full
# Looks the names up (with the two renamed classes).
STL = ["airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck"]
CIFAR = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
RENAME = {"car": "automobile", "monkey": "frog"}


def stl_to_cifar(predictions):
    table = torch.tensor([CIFAR.index(RENAME.get(name, name)) for name in STL])
    return table[predictions.long()]
