# audit: task=augment expect=less
# Flips with its own coin from Python's random module, not torch's global generator.
import random


def _flip(x):
    return x.flip(-1) if random.random() < 0.5 else x


def simclr_augmentation(size):
    return T.Compose([
        T.RandomResizedCrop(size, scale=(0.08, 1.0), antialias=True),
        T.Lambda(_flip),
        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
        T.RandomGrayscale(p=0.2),
    ])


class TwoViews:
    def __init__(self, transform):
        self.transform = transform

    def __call__(self, x):
        return self.transform(x), self.transform(x)
