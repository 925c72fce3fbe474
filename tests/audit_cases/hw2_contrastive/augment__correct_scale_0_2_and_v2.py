# audit: task=augment expect=full
# torchvision.transforms.v2 with the accepted crop scale (0.2, 1).
import torchvision.transforms.v2 as T2


def simclr_augmentation(size):
    return T2.Compose([
        T2.RandomResizedCrop(size, scale=(0.2, 1.0), antialias=True),
        T2.RandomHorizontalFlip(),
        T2.RandomApply([T2.ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1)], p=0.8),
        T2.RandomGrayscale(p=0.2),
    ])


class TwoViews:
    def __init__(self, transform):
        self.transform = transform

    def __call__(self, x):
        first = self.transform(x)
        second = self.transform(x)
        return first, second
