# audit: task=augment expect=less
# Applies colour jitter to every view.
def simclr_augmentation(size):
    return T.Compose([
        T.RandomResizedCrop(size, scale=(0.08, 1.0), antialias=True),
        T.RandomHorizontalFlip(p=0.5),
        T.ColorJitter(0.4, 0.4, 0.4, 0.1),
        T.RandomGrayscale(p=0.2),
    ])


class TwoViews:
    def __init__(self, transform):
        self.transform = transform

    def __call__(self, x):
        return self.transform(x), self.transform(x)
