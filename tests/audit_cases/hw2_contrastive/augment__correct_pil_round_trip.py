# audit: task=augment expect=full
# Through 8-bit PIL images, as torchvision's SimCLR examples do: exact only to one grey level.
def simclr_augmentation(size):
    return T.Compose([
        T.ToPILImage(),
        T.RandomResizedCrop(size, antialias=True),
        T.RandomHorizontalFlip(p=0.5),
        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
        T.RandomGrayscale(p=0.2),
        T.ToTensor(),
    ])


class TwoViews:
    def __init__(self, transform):
        self.transform = transform

    def __call__(self, x):
        return self.transform(x), self.transform(x)
