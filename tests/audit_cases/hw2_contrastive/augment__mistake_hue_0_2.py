# audit: task=augment expect=less
# Takes the hue of SimCLR's strength-1 jitter (0.2) instead of 0.1.
def simclr_augmentation(size):
    return T.Compose([
        T.RandomResizedCrop(size, scale=(0.08, 1.0), antialias=True),
        T.RandomHorizontalFlip(p=0.5),
        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.2)], p=0.8),
        T.RandomGrayscale(p=0.2),
    ])


class TwoViews:
    def __init__(self, transform):
        self.transform = transform

    def __call__(self, x):
        return self.transform(x), self.transform(x)
